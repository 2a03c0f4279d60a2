// How values are shown, by the column's type as the warehouse names it.

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|NUMBER|FIXED)\b/i;
const TIMESTAMP = /^(TIMESTAMP|DATETIME)/i;

export function isNumeric(type) {
  return NUMERIC.test(type || '');
}

/** The text of a cell and the class that styles it. */
export function formatCell(value, type) {
  if (value === null || value === undefined) {
    return { text: 'NULL', className: 'null' };
  }
  if (typeof value === 'object') {
    return { text: JSON.stringify(value), className: 'json' };
  }
  if (typeof value === 'number') {
    return { text: String(value), className: 'num' };
  }
  if (typeof value === 'boolean') {
    return { text: value ? 'true' : 'false', className: '' };
  }
  if (TIMESTAMP.test(type || '') && typeof value === 'string') {
    // 2018-04-25T16:10:02.123 -> 2018-04-25 16:10:02.123
    return { text: value.replace('T', ' '), className: isNumeric(type) ? 'num' : '' };
  }
  return { text: String(value), className: isNumeric(type) ? 'num' : '' };
}

const GROUPING = new Intl.NumberFormat('en-US');

export function count(n) {
  return GROUPING.format(n);
}

export function seconds(ms) {
  if (ms < 60000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const minutes = Math.floor(ms / 60000);
  const rest = ((ms % 60000) / 1000).toFixed(0).padStart(2, '0');
  return `${minutes} min ${rest} s`;
}
