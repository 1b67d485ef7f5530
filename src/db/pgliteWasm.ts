// PGlite's WebAssembly (9 MB), compiled as soon as a start knows it will open PGlite. PGlite would read and compile it
// itself, but only after its own chain of awaits, each of which waits behind the service's modules loading; started
// here, V8 compiles it on its background threads while the main thread loads the rest of the code.
import { readFileSync } from 'node:fs';

let compiled: Promise<WebAssembly.Module | undefined> | undefined;

/**
 * pglite.wasm compiled, once per process (tests open many databases). Undefined when the file is not beside
 * PGlite's entry point, where 0.5 keeps it: PGlite then loads it itself, as before.
 */
export function pgliteWasm(): Promise<WebAssembly.Module | undefined> {
  compiled ??= (async () => {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      // A file this size is read into its own ArrayBuffer (never a shared one), which is what the cast says.
      bytes = readFileSync(new URL('pglite.wasm', import.meta.resolve('@electric-sql/pglite'))) as Uint8Array<ArrayBuffer>;
    } catch {
      return undefined;
    }
    return WebAssembly.compile(bytes);
  })();
  return compiled;
}
