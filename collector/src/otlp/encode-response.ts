/**
 * Encodes the OTLP `ExportTraceServiceResponse`, in the encoding the request used.
 *
 * @module
 */

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

export function encodeResponse(
  contentType: 'protobuf' | 'json',
  partial: PartialSuccess | undefined,
): Buffer {
  if (contentType === 'json') {
    return Buffer.from(
      JSON.stringify(
        partial
          ? {
              partialSuccess: {
                rejectedSpans: String(partial.rejectedSpans),
                errorMessage: partial.errorMessage,
              },
            }
          : {},
      ),
    );
  }
  if (!partial) return Buffer.alloc(0);
  const msg = Buffer.from(partial.errorMessage, 'utf8');
  const inner = Buffer.concat([
    Buffer.from([0x08]),
    varint(BigInt(partial.rejectedSpans)),
    Buffer.from([0x12]),
    varint(BigInt(msg.length)),
    msg,
  ]);
  return Buffer.concat([Buffer.from([0x0a]), varint(BigInt(inner.length)), inner]);
}

function varint(v: bigint): Buffer {
  const out: number[] = [];
  let n = BigInt.asUintN(64, v);
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) byte |= 0x80;
    out.push(byte);
  } while (n > 0n);
  return Buffer.from(out);
}
