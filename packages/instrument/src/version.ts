/**
 * The package's own version, the instrumentation scope version of every span it starts.
 * A test keeps it equal to `package.json`.
 *
 * @module
 */

export const VERSION = '0.1.0';
