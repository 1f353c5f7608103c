/**
 * Reads a request body as bytes, exactly as sent (compressed bodies stay compressed: the traces
 * route inflates them with its own output bound), refusing more than `limit` bytes with 413.
 *
 * @module
 */

import type { NextFunction, Request, Response } from 'express';

export function readRawBody(limit: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      res.status(413).type('text/plain').send(`body larger than ${limit} bytes`);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        res.status(413).type('text/plain').send(`body larger than ${limit} bytes`);
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      req.body = Buffer.concat(chunks, size);
      next();
    });
    req.on('error', (e) => {
      if (!failed) next(e);
      failed = true;
    });
  };
}
