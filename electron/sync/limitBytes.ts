/**
 * A pass-through that lets the first `size` bytes through and drops the rest: an upload sends
 * exactly the size it announced, and what a growing file adds meanwhile goes in a later round.
 * `onPiece` sees every piece that passes (to hash what is sent).
 */
import { Transform } from 'node:stream';

export function limitBytes(size: number, onPiece?: (piece: Buffer) => void): Transform {
  let remaining = size;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (remaining <= 0) {
        callback();
        return;
      }
      const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= piece.length;
      onPiece?.(piece);
      callback(null, piece);
    },
  });
}
