/**
 * Expands a panel's SQL the way Grafana and the `grafana-clickhouse-datasource` plugin do before
 * ClickHouse sees it (GRAFANA.md 1.4–1.5), so tests and benchmarks run exactly what a user's
 * Grafana would send:
 *
 * 1. frontend `$__conditionalAll(cond, $var)`: scanned from the last occurrence backwards,
 *    arguments split at bracket depth 1; the variable's `current.value.toString()` being `''` or
 *    `'$__all'` gives `1=1`, anything else the condition verbatim (`CHDatasource.applyConditionalAll`);
 * 2. frontend template variables with the plugin's formatter: an array becomes `'a','b'`
 *    (unescaped), a single value is inserted raw; "All" without a custom all value is every option;
 * 3. backend macros (`pkg/macros`): `$__timeFilter`, `$__timeFilter_ms`, `$__fromTime(_ms)`,
 *    `$__toTime(_ms)`, `$__timeInterval(_ms)`, `$__interval_s`, `$__dateFilter`. An unknown
 *    `$__x` is left as is, so ClickHouse rejects it loudly.
 *
 * @module
 */

export interface VariableState {
  /** `'all'` = the "All" option; otherwise the selected values. */
  selected: 'all' | readonly string[];
  /** Every option the variable's query returned (what "All" stands for). */
  options: readonly string[];
}

export interface ExpandContext {
  from: Date;
  to: Date;
  /** The interval Grafana computed for the panel (≥ the panel's minimum interval). */
  intervalMs: number;
  variables: Readonly<Record<string, VariableState>>;
}

const CONDITIONAL_ALL = '$__conditionalAll(';
/** The plugin's variable-name pattern for the 2nd argument: `${name}` or `$name`. */
const VAR_NAME = /(?<=\$\{)[\w\d]+(?=\})|(?<=\$)[\w\d]+/;

/** Arguments of the call whose `(` is at `open`, split on commas at depth 1 (the plugin's getMacroArgs). */
export function macroArgs(sql: string, open: number): string[] | undefined {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 1) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
    if (depth === 0) {
      args.push(sql.slice(start, i));
      return args;
    }
  }
  return undefined;
}

/** `current.value` as Grafana's variable model holds it: `['$__all']` for All. */
function currentValue(v: VariableState): string[] {
  return v.selected === 'all' ? ['$__all'] : [...v.selected];
}

export function applyConditionalAll(sql: string, variables: ExpandContext['variables']): string {
  let out = sql;
  let at = out.lastIndexOf(CONDITIONAL_ALL);
  while (at !== -1) {
    const args = macroArgs(out, at + CONDITIONAL_ALL.length - 1);
    if (!args || args.length !== 2) return out;
    const [cond = '', varArg = ''] = args;
    const name = VAR_NAME.exec(varArg.trim())?.[0];
    const variable = name !== undefined ? variables[name] : undefined;
    const value = variable ? currentValue(variable).toString() : undefined;
    const phrase = value === '' || value === '$__all' ? '1=1' : cond;
    // The plugin replaces the first textual occurrence with String.replace; a function keeps `$`
    // in the condition literal (the plugin's string form would read `$&` as a pattern).
    out = out.replace(`${CONDITIONAL_ALL}${cond},${varArg})`, () => phrase);
    at = out.lastIndexOf(CONDITIONAL_ALL);
  }
  return out;
}

/** Grafana's variable syntax: `$name`, `[[name]]`, `${name}`, `${name:format}`. */
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** The plugin's default formatter: arrays as `'a','b'`, single values raw (no escaping). */
function pluginFormat(value: string | string[]): string {
  return Array.isArray(value) ? `'${value.join("','")}'` : value;
}

export function replaceVariables(sql: string, variables: ExpandContext['variables']): string {
  return sql.replace(
    VARIABLE,
    (match, a?: string, b?: string, _bf?: string, c?: string, _path?: string, fmt?: string) => {
      const name = a ?? b ?? c ?? '';
      const v = variables[name];
      if (!v) return match;
      const values = v.selected === 'all' ? [...v.options] : [...v.selected];
      if (fmt !== undefined) throw new Error(`variable format ${fmt} in ${match} is not modelled here`);
      // A multi-value variable's value is an array even with one selection.
      return pluginFormat(values);
    },
  );
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const ymd = (d: Date): string => d.toISOString().slice(0, 10);

/** Backend macros, by name: argument list → SQL. */
function backendMacro(name: string, args: string[], ctx: ExpandContext): string | undefined {
  const from = seconds(ctx.from);
  const to = seconds(ctx.to);
  const col = (args[0] ?? '').trim();
  const intervalS = Math.max(Math.trunc(ctx.intervalMs / 1000), 1);
  switch (name) {
    case 'timeFilter':
      return `${col} >= toDateTime(${from}) AND ${col} <= toDateTime(${to})`;
    case 'timeFilter_ms':
      return `${col} >= fromUnixTimestamp64Milli(${ctx.from.getTime()}) AND ${col} <= fromUnixTimestamp64Milli(${ctx.to.getTime()})`;
    case 'dateFilter':
      return `${col} >= toDate('${ymd(ctx.from)}') AND ${col} <= toDate('${ymd(ctx.to)}')`;
    case 'fromTime':
      return `toDateTime(${from})`;
    case 'toTime':
      return `toDateTime(${to})`;
    case 'fromTime_ms':
      return `fromUnixTimestamp64Milli(${ctx.from.getTime()})`;
    case 'toTime_ms':
      return `fromUnixTimestamp64Milli(${ctx.to.getTime()})`;
    case 'timeInterval':
      return `toStartOfInterval(toDateTime(${col}), INTERVAL ${intervalS} second)`;
    case 'timeInterval_ms':
      return `toStartOfInterval(toDateTime64(${col}, 3), INTERVAL ${Math.max(Math.trunc(ctx.intervalMs), 1)} millisecond)`;
    case 'interval_s':
      return String(intervalS);
    default:
      return undefined;
  }
}

const TAKES_ARGS = new Set(['timeFilter', 'timeFilter_ms', 'dateFilter', 'timeInterval', 'timeInterval_ms']);

export function expandBackendMacros(sql: string, ctx: ExpandContext): string {
  let out = '';
  let i = 0;
  const re = /\$__(\w+)/g;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const name = m[1] ?? '';
    const end = m.index + m[0].length;
    let args: string[] = [];
    let next = end;
    if (TAKES_ARGS.has(name)) {
      if (sql[end] !== '(') throw new Error(`macro $__${name} needs arguments`);
      const parsed = macroArgs(sql, end);
      if (!parsed) throw new Error(`macro $__${name}: unbalanced parentheses`);
      args = parsed;
      next = end + parsed.join(',').length + 2;
    }
    const expanded = backendMacro(name, args, ctx);
    if (expanded === undefined) continue;
    out += sql.slice(i, m.index) + expanded;
    i = next;
    re.lastIndex = next;
  }
  return out + sql.slice(i);
}

/** The whole path: frontend `$__conditionalAll`, then variables, then backend macros. */
export function expandPanelSql(sql: string, ctx: ExpandContext): string {
  return expandBackendMacros(replaceVariables(applyConditionalAll(sql, ctx.variables), ctx.variables), ctx);
}
