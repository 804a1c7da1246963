// Every architecture's pause (build/native/<arch>/) is the machine
// it claims to be by its ELF header, and is static without a C library: no
// interpreter, no dynamic section, no C library's marks, a few kilobytes
// (the default x86-64 one, init mode included, at most 4 KiB).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESIGNS } from '../../src/scenario/types.ts';
import { cannotRun } from '../support/gate.ts';
import { ARCHES, FACTS, archBinary, crossBuilt, type Arch } from '../support/qemu.ts';

const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_LOAD = 1;
const PF_X = 1;
const SHT_DYNAMIC = 6;
const ET_EXEC = 2;
const EF_ARM_EABI_VER5 = 0x05000000;
const EF_ARM_ABI_FLOAT_HARD = 0x400;
const EF_PPC64_ELFV2 = 2;
const EF_RISCV_FLOAT_ABI_DOUBLE = 0x4;
/** Tag_CPU_arch of .ARM.attributes: 10 is ARMv7. */
const TAG_CPU_ARCH = 6;
const ARM_V7 = 10;

interface Segment { type: number; flags: number; vaddr: bigint; memsz: bigint }
interface Section { name: string; type: number; offset: number; size: number }

interface Elf {
  bits: 32 | 64;
  endian: 'little' | 'big';
  type: number;
  machine: number;
  flags: number;
  entry: bigint;
  segments: Segment[];
  sections: Section[];
}

/** The ELF header, program headers and section headers of a file. */
function parseElf(bytes: Buffer): Elf {
  if (bytes.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error('not an ELF file');
  const bits = bytes[4] === 2 ? 64 : 32;
  const endian = bytes[5] === 2 ? 'big' : 'little';
  const u16 = (at: number) => (endian === 'little' ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (endian === 'little' ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const u64 = (at: number) => (endian === 'little' ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at));
  const word = (at: number) => (bits === 64 ? u64(at) : BigInt(u32(at)));
  const wide = bits === 64;
  const entry = word(24);
  const phoff = Number(word(wide ? 32 : 28));
  const shoff = Number(word(wide ? 40 : 32));
  const flags = u32(wide ? 48 : 36);
  const [phentsize, phnum, shentsize, shnum, shstrndx] = [u16(wide ? 54 : 42), u16(wide ? 56 : 44), u16(wide ? 58 : 46), u16(wide ? 60 : 48), u16(wide ? 62 : 50)];
  const segments = Array.from({ length: phnum }, (_, i): Segment => {
    const at = phoff + i * phentsize;
    return wide
      ? { type: u32(at), flags: u32(at + 4), vaddr: u64(at + 16), memsz: u64(at + 40) }
      : { type: u32(at), flags: u32(at + 24), vaddr: BigInt(u32(at + 8)), memsz: BigInt(u32(at + 20)) };
  });
  const raw = Array.from({ length: shoff === 0 ? 0 : shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return { nameAt: u32(at), type: u32(at + 4), offset: Number(word(wide ? at + 24 : at + 16)), size: Number(word(wide ? at + 32 : at + 20)) };
  });
  const names = raw[shstrndx];
  const sections = raw.map((s): Section => {
    const start = (names?.offset ?? 0) + s.nameAt;
    const end = bytes.indexOf(0, start);
    return { name: names === undefined ? '' : bytes.subarray(start, end).toString('latin1'), type: s.type, offset: s.offset, size: s.size };
  });
  return { bits, endian, type: u16(16), machine: u16(18), flags, entry, segments, sections };
}

/** Tag_CPU_arch from the "aeabi" attributes of an ARM file's .ARM.attributes section. */
function armCpuArch(bytes: Buffer, section: Section): number | undefined {
  const data = bytes.subarray(section.offset, section.offset + section.size);
  let at = 1; // after the format version 'A'
  const uleb = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = data[at++];
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < data.length) {
    const length = data.readUInt32LE(at);
    const end = at + length;
    const vendorEnd = data.indexOf(0, at + 4);
    const vendor = data.subarray(at + 4, vendorEnd).toString('latin1');
    at = vendorEnd + 1;
    while (vendor === 'aeabi' && at < end) {
      const tag = data[at];
      const subEnd = at + data.readUInt32LE(at + 1);
      at += 5;
      while (tag === 1 && at < subEnd) { // file attributes
        const attribute = uleb();
        if (attribute === TAG_CPU_ARCH) return uleb();
        // Strings: Tag_CPU_raw_name (4), Tag_CPU_name (5), Tag_conformance (67), odd tags above 32.
        if (attribute === 4 || attribute === 5 || attribute === 67 || (attribute > 32 && attribute % 2 === 1)) at = data.indexOf(0, at) + 1;
        else if (attribute === 32) { uleb(); at = data.indexOf(0, at) + 1; }
        else uleb();
      }
      at = subEnd;
    }
    at = end;
  }
  return undefined;
}

/** What a file's ELF says beyond machine, class and byte order, per architecture. */
function expectArchDetails(arch: Arch, elf: Elf, bytes: Buffer): void {
  if (arch === 'arm') {
    expect(elf.flags & 0xff000000, 'ARM EABI version 5').toBe(EF_ARM_EABI_VER5);
    expect(elf.flags & EF_ARM_ABI_FLOAT_HARD, 'ARM hard-float ABI').toBe(EF_ARM_ABI_FLOAT_HARD);
    const attributes = elf.sections.find((s) => s.name === '.ARM.attributes');
    expect(attributes, '.ARM.attributes section').toBeDefined();
    expect(armCpuArch(bytes, attributes as Section), 'Tag_CPU_arch').toBe(ARM_V7);
  }
  if (arch === 'ppc64le') expect(elf.flags & 3, 'ELFv2 ABI').toBe(EF_PPC64_ELFV2);
  if (arch === 'riscv64') expect(elf.flags & 0x6, 'double-float ABI').toBe(EF_RISCV_FLOAT_ABI_DOUBLE);
}

for (const arch of ARCHES) {
  describe.skipIf(cannotRun(`the ELF checks for ${arch}`, crossBuilt(arch)))(`pause for ${arch}`, () => {
    for (const design of ['default', ...DESIGNS] as const) {
      const name = design === 'default' ? 'pause' : `pause-${design}`;

      it(`${name} is a ${FACTS[arch].bits}-bit ${FACTS[arch].endian}-endian ${arch} executable (ELF machine ${FACTS[arch].machine})`, () => {
        const bytes = readFileSync(archBinary(arch, design));
        const elf = parseElf(bytes);
        expect(elf.machine).toBe(FACTS[arch].machine);
        expect(elf.bits).toBe(FACTS[arch].bits);
        expect(elf.endian).toBe(FACTS[arch].endian);
        expect(elf.type).toBe(ET_EXEC);
        expectArchDetails(arch, elf, bytes);
        const code = elf.segments.filter((s) => s.type === PT_LOAD && (s.flags & PF_X) !== 0);
        expect(code.some((s) => elf.entry >= s.vaddr && elf.entry < s.vaddr + s.memsz), 'entry point in an executable segment').toBe(true);
      });

      it(`${name} for ${arch} is static and has no C library: no interpreter, no dynamic section, under 6 KiB`, () => {
        const bytes = readFileSync(archBinary(arch, design));
        const elf = parseElf(bytes);
        expect(elf.segments.map((s) => s.type)).not.toContain(PT_INTERP);
        expect(elf.segments.map((s) => s.type)).not.toContain(PT_DYNAMIC);
        expect(elf.sections.map((s) => s.type)).not.toContain(SHT_DYNAMIC);
        expect(elf.sections.map((s) => s.name)).not.toContain('.interp');
        const text = bytes.toString('latin1');
        for (const mark of ['GLIBC', 'glibc', 'musl', 'libc.so', 'ld-linux']) expect(text).not.toContain(mark);
        // Static glibc is ~670 KB and static musl ~13 KB; ours, init mode
        // included, is 3 to 5 KiB (ppc64le and s390x code is the largest).
        expect(bytes.length).toBeLessThan(6 * 1024);
        // The target: the default x86-64 binary, init mode included, in 4 KiB.
        if (arch === 'amd64' && design === 'default') expect(bytes.length).toBeLessThanOrEqual(4096);
      });
    }
  });
}
