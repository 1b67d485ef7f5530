// The long connection's frame format (pbbp2.Frame, read from the SDK's generated code), encoded by hand so the
// fake server shares nothing with the client it talks to.
export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: { key: string; value: string }[];
  payload?: Uint8Array;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

function bytesField(field: number, bytes: Uint8Array): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

const utf8 = (s: string) => new TextEncoder().encode(s);

export function encodeFrame(frame: Frame): Uint8Array {
  const out: number[] = [
    ...varint((1 << 3) | 0),
    ...varint(frame.SeqID),
    ...varint((2 << 3) | 0),
    ...varint(frame.LogID),
    ...varint((3 << 3) | 0),
    ...varint(frame.service),
    ...varint((4 << 3) | 0),
    ...varint(frame.method),
  ];
  for (const h of frame.headers) out.push(...bytesField(5, new Uint8Array([...bytesField(1, utf8(h.key)), ...bytesField(2, utf8(h.value))])));
  if (frame.payload) out.push(...bytesField(8, frame.payload));
  return new Uint8Array(out);
}

function reader(buf: Uint8Array) {
  let pos = 0;
  const readVarint = (): number => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return Number(result);
      shift += 7n;
    }
  };
  return {
    done: () => pos >= buf.length,
    tag: () => {
      const t = readVarint();
      return { field: t >> 3, wire: t & 7 };
    },
    varint: readVarint,
    bytes: () => {
      const len = readVarint();
      const b = buf.subarray(pos, pos + len);
      pos += len;
      return b;
    },
  };
}

export function decodeFrame(buf: Uint8Array): Frame {
  const r = reader(buf);
  const frame: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire === 0) {
      const v = r.varint();
      if (field === 1) frame.SeqID = v;
      else if (field === 2) frame.LogID = v;
      else if (field === 3) frame.service = v;
      else if (field === 4) frame.method = v;
    } else if (wire === 2) {
      const b = r.bytes();
      if (field === 5) {
        const hr = reader(b);
        const h = { key: '', value: '' };
        while (!hr.done()) {
          const t = hr.tag();
          const v = text(hr.bytes());
          if (t.field === 1) h.key = v;
          else if (t.field === 2) h.value = v;
        }
        frame.headers.push(h);
      } else if (field === 8) frame.payload = b;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return frame;
}

export const frameHeader = (frame: Frame, key: string) => frame.headers.find((h) => h.key === key)?.value;
