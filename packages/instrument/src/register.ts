/**
 * Side-effect entry: `import '@costline/instrument/register'` (or `require(…)` from CommonJS), or
 * `node --import @costline/instrument/register app.js`. Starts the OpenTelemetry SDK with Costline's
 * instrumentations and exporter (see `sdk-start.ts`). No top-level await, so `require()` works.
 *
 * @module
 */

import { startCostline } from './sdk-start.ts';

startCostline();
