// Runs an RP2040 firmware ELF on rp2040js without the bootrom: the ELF's
// loadable segments are copied into flash (256 bytes reserved for boot2,
// vector table at 0x1000_0100), VTOR set, the core reset. UART0 output is
// printed line by line; SPI0 answers every frame after eight bit times with
// the next queued answer or its complement (a mailbox in SRAM5, below); the
// run ends at a BKPT, or fails at the cycle or
// wall-clock limit.
//
// usage: node run.mjs FIRMWARE.elf [--max-cycles N] [--max-seconds S]
import { readFileSync } from 'node:fs';
import { RP2040, ConsoleLogger, LogLevel } from 'rp2040js';

const args = process.argv.slice(2);
const elfPath = args[0];
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const maxCycles = opt('--max-cycles', 200_000_000);
const maxSeconds = opt('--max-seconds', 60);
if (!elfPath) {
  console.error('usage: node run.mjs FIRMWARE.elf [--max-cycles N] [--max-seconds S]');
  process.exit(2);
}

const FLASH = 0x1000_0000;
const VECTORS = FLASH + 0x100;

const mcu = new RP2040();
mcu.logger = new ConsoleLogger(LogLevel.Error);

// ELF32 little-endian program headers (PT_LOAD = 1), loaded by physical
// address (the load address of .data is in flash too).
const elf = readFileSync(elfPath);
if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 1 || elf[5] !== 1) {
  console.error(`${elfPath}: not a 32-bit little-endian ELF`);
  process.exit(2);
}
const phoff = elf.readUInt32LE(0x1c);
const phentsize = elf.readUInt16LE(0x2a);
const phnum = elf.readUInt16LE(0x2c);
for (let i = 0; i < phnum; i++) {
  const ph = phoff + i * phentsize;
  const type = elf.readUInt32LE(ph);
  const offset = elf.readUInt32LE(ph + 4);
  const paddr = elf.readUInt32LE(ph + 12);
  const filesz = elf.readUInt32LE(ph + 16);
  if (type !== 1 || filesz === 0) continue;
  if (paddr < FLASH || paddr + filesz > FLASH + mcu.flash.length) {
    console.error(`segment at 0x${paddr.toString(16)} is not in flash`);
    process.exit(2);
  }
  mcu.flash.set(elf.subarray(offset, offset + filesz), paddr - FLASH);
}

// UART0 output, line by line.
let line = '';
let summary = null;
mcu.uart[0].onByte = (byte) => {
  if (byte === 0x0a) {
    // The summary is printed last, after the run's statistics.
    if (/^\d+ passed, \d+ failed$/.test(line)) summary = line;
    else console.log(line);
    line = '';
  } else if (byte !== 0x0d) {
    line += String.fromCharCode(byte);
  }
};

// SPI0: a frame takes 8 bit times at 1 MHz. Each frame sent is logged in
// a mailbox in SRAM5 (unused by the firmware: memory/rp2040.x), for the
// firmware's conformance harness (examples/emulator_suite/harness.rs):
// +0 frames sent, +4 / +8 length and position of the answer queue,
// +0x10 the sent frames (u16, a ring of 1024), +0x810 the answers (u16).
// The answer is the next queued one, or the frame's complement.
const BIT_NANOS = 1000;
const MAILBOX = 0x2004_1000 - 0x2000_0000;
const RING = 1024;
const box = mcu.sramView;
const spi = mcu.spi[0];
spi.onTransmit = (value) => {
  const mask = (1 << spi.dataBits) - 1;
  const sent = box.getUint32(MAILBOX, true);
  box.setUint16(MAILBOX + 0x10 + 2 * (sent % RING), value & mask, true);
  box.setUint32(MAILBOX, (sent + 1) >>> 0, true);
  const len = box.getUint32(MAILBOX + 4, true);
  const pos = box.getUint32(MAILBOX + 8, true);
  let answer = ~value & mask;
  if (pos < len && pos < RING) {
    answer = box.getUint16(MAILBOX + 0x810 + 2 * pos, true) & mask;
    box.setUint32(MAILBOX + 8, pos + 1, true);
  }
  const alarm = mcu.clock.createAlarm(() => spi.completeTransmit(answer));
  alarm.schedule(8 * BIT_NANOS);
};

let stopped = false;
mcu.onBreak = () => {
  stopped = true;
};

mcu.core.VTOR = VECTORS;
mcu.core.reset();

const cycleNanos = 1e9 / 125e6;
const started = Date.now();
let cycles = 0;
while (!stopped) {
  if (mcu.core.waiting) {
    const { nanosToNextAlarm } = mcu.clock;
    if (!Number.isFinite(nanosToNextAlarm) || nanosToNextAlarm <= 0) break;
    mcu.clock.tick(nanosToNextAlarm);
    cycles += nanosToNextAlarm / cycleNanos;
  } else {
    const c = mcu.core.executeInstruction();
    mcu.clock.tick(c * cycleNanos);
    cycles += c;
  }
  if (cycles > maxCycles) {
    console.log(`FAIL emulator: cycle limit (${maxCycles}) reached`);
    break;
  }
  if ((cycles & 0xffff) < 4 && (Date.now() - started) / 1000 > maxSeconds) {
    console.log(`FAIL emulator: wall-clock limit (${maxSeconds} s) reached`);
    break;
  }
}
if (line) console.log(line);
const seconds = ((Date.now() - started) / 1000).toFixed(2);
console.log(`emulator: ${Math.round(cycles)} cycles, ${seconds} s`);
if (!summary) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(summary);
process.exit(/ 0 failed$/.test(summary) ? 0 : 1);
