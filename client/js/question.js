// The question a run asks of its view: which columns, which rows (filters, all of which must hold) and in which
// order, built from the form's controls; and the errors that belong beside those controls.
import { isNumeric } from './format.js';

const $ = (id) => document.getElementById(id);

const OPERATOR_WORDS = {
  eq: '=', neq: '≠', lt: '<', lte: '≤', gt: '>', gte: '≥', in: 'is one of',
  contains: 'contains', starts_with: 'starts with', is_null: 'is empty', not_null: 'is not empty',
};
const NO_VALUE = new Set(['is_null', 'not_null']);

let view = null;
let filterCount = 0;

/** Shows the chosen view's columns to pick and filter on; an unknown view leaves no choices. */
export function useView(described) {
  if (sameView(described, view)) {
    // the same view listed again (after a reconnect): the choices made stay
    view = described;
    return;
  }
  view = described;
  const choices = $('columns');
  choices.replaceChildren(...(view ? view.columns : []).map((column, i) => {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = column.name;
    box.id = `column-${i}`;
    box.addEventListener('change', updateColumnsSummary);
    label.append(box, column.name);
    return label;
  }));
  updateColumnsSummary();
  $('filters').replaceChildren();
  $('add-filter').disabled = !view;
  clearErrors();
}

/** Whether two list_views entries describe the same view with the same columns. */
function sameView(a, b) {
  if (!a || !b) {
    return a === b;
  }
  const columns = (v) => v.columns.map((c) => `${c.name}:${c.type}`).join(',');
  return a.name === b.name && columns(a) === columns(b);
}

function updateColumnsSummary() {
  const chosen = chosenColumns();
  $('columns-summary').textContent = chosen.length === 0 ? 'Columns: all' : `Columns: ${chosen.join(', ')}`;
}

function chosenColumns() {
  return [...$('columns').querySelectorAll('input:checked')].map((box) => box.value);
}

/** Adds a filter row: column, operator and value, each labelled, and a button to remove it. */
export function addFilter() {
  if (!view) {
    return;
  }
  const n = ++filterCount;
  const row = document.createElement('div');
  row.className = 'filter';
  row.setAttribute('role', 'group');
  row.setAttribute('aria-label', 'Filter');
  const column = select(`filter-${n}-column`, 'Column', view.columns.map((c) => [c.name, c.name]));
  const op = select(`filter-${n}-op`, 'Operator', []);
  const value = document.createElement('input');
  value.id = `filter-${n}-value`;
  value.setAttribute('aria-label', 'Value');
  value.spellcheck = false;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', 'Remove this filter');
  const error = document.createElement('p');
  error.className = 'field-error';
  error.id = `filter-${n}-error`;
  error.setAttribute('role', 'alert');
  error.hidden = true;
  for (const control of [column, op, value]) {
    control.setAttribute('aria-describedby', error.id);
  }
  const refreshOperators = () => {
    const described = view.columns.find((c) => c.name === column.value);
    const operators = described && described.operators ? described.operators : ['eq', 'neq', 'is_null', 'not_null'];
    op.replaceChildren(...operators.map((o) => option(o, OPERATOR_WORDS[o] || o)));
    refreshValue();
  };
  const refreshValue = () => {
    value.hidden = NO_VALUE.has(op.value);
    value.placeholder = op.value === 'in' ? 'values, separated by commas' : 'value';
  };
  column.addEventListener('change', refreshOperators);
  op.addEventListener('change', refreshValue);
  remove.addEventListener('click', () => {
    row.remove();
    $('add-filter').focus();
  });
  row.append(column, op, value, remove, error);
  $('filters').append(row);
  refreshOperators();
  column.focus();
}

function select(id, label, options) {
  const el = document.createElement('select');
  el.id = id;
  el.setAttribute('aria-label', label);
  el.append(...options.map(([value, text]) => option(value, text)));
  return el;
}

function option(value, text) {
  const el = document.createElement('option');
  el.value = value;
  el.textContent = text;
  return el;
}

/**
 * The question's fields for run_view ({} for the whole view), or null after showing, beside its control, why a
 * value cannot be sent.
 */
export function questionFields(sort) {
  clearErrors();
  const fields = {};
  const columns = chosenColumns();
  if (columns.length > 0) {
    fields.columns = columns;
  }
  const conditions = [];
  for (const row of $('filters').querySelectorAll('.filter')) {
    const [column, op, value] = row.querySelectorAll('select, input');
    const described = view.columns.find((c) => c.name === column.value);
    const condition = { column: column.value, op: op.value };
    if (!NO_VALUE.has(op.value)) {
      const parsed = op.value === 'in'
        ? value.value.split(',').map((part) => parseValue(part.trim(), described))
        : [parseValue(value.value, described)];
      const bad = parsed.find((p) => p.error);
      if (bad) {
        showRowError(row, bad.error, value);
        value.focus();
        return null;
      }
      condition.value = op.value === 'in' ? parsed.map((p) => p.value) : parsed[0].value;
    }
    conditions.push(condition);
  }
  if (conditions.length === 1) {
    [fields.filters] = conditions;
  } else if (conditions.length > 1) {
    fields.filters = { and: conditions };
  }
  if (sort) {
    fields.order_by = [{ column: sort.column, direction: sort.direction }];
  }
  return fields;
}

/** A typed value from the text of a value box: numbers and booleans as JSON numbers and booleans. */
function parseValue(text, column) {
  const type = column ? column.type : '';
  if (text === '') {
    return { error: 'Type a value.' };
  }
  if (/^BOOL/i.test(type)) {
    if (text !== 'true' && text !== 'false') {
      return { error: 'Type true or false.' };
    }
    return { value: text === 'true' };
  }
  if (isNumeric(type)) {
    const number = Number(text);
    if (!Number.isFinite(number)) {
      return { error: `${column.name} holds numbers; "${text}" is not one.` };
    }
    return { value: number };
  }
  return { value: text };
}

function showRowError(row, message, control) {
  const error = row.querySelector('.field-error');
  error.textContent = message;
  error.hidden = false;
  if (control) {
    control.setAttribute('aria-invalid', 'true');
  }
}

function showError(id, message) {
  $(id).textContent = message;
  $(id).hidden = false;
}

/** Clears every error shown beside the question's controls. */
export function clearErrors() {
  for (const el of document.querySelectorAll('#question .field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of document.querySelectorAll('#question [aria-invalid]')) {
    el.removeAttribute('aria-invalid');
  }
}

/**
 * Shows a BAD_REQUEST beside the control it is about, by the field its message names (columns[2],
 * filters.and[1].value, order_by[0]...); returns whether it found one.
 */
export function showServerError(message) {
  const field = /^(columns|filters|order_by)(?:\.(?:and|or)\[(\d+)\])?/.exec(message || '');
  if (!field) {
    return false;
  }
  if (field[1] === 'columns') {
    showError('columns-error', message);
    return true;
  }
  if (field[1] === 'order_by') {
    showError('sort-error', message);
    return true;
  }
  const rows = $('filters').querySelectorAll('.filter');
  const row = rows[field[2] ? Number(field[2]) : 0];
  if (!row) {
    return false;
  }
  const part = /\.(column|op|value)\b/.exec(message);
  const controls = row.querySelectorAll('select, input');
  showRowError(row, message, part ? controls[['column', 'op', 'value'].indexOf(part[1])] : null);
  return true;
}
