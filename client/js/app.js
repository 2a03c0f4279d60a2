// The page: run a view (or ask it a question), watch it, read and page its rows, sort them, download them.
import { ApiConnection } from './api.js';
import { count, formatCell, isNumeric, seconds } from './format.js';
import {
  addFilter, clearErrors, questionFields, showServerError, useView,
} from './question.js';

const $ = (id) => document.getElementById(id);

const STATE_LABELS = {
  submitted: 'Submitted',
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const ACTIVE = new Set(['submitted', 'queued', 'running']);

const ERROR_WORDS = {
  BAD_REQUEST: 'The request was not valid.',
  UNKNOWN_ACTION: 'The server does not know that action.',
  VIEW_NOT_FOUND: 'There is no exposed view of that name.',
  QUERY_NOT_FOUND: 'The server no longer knows this query.',
  QUERY_NOT_FINISHED: 'The query has not finished yet.',
  QUERY_FAILED: 'The query failed in the warehouse.',
  QUERY_CANCELLED: 'The query was cancelled.',
  QUERY_TIMEOUT: 'The query ran too long and was stopped.',
  TOO_MANY_REQUESTS: 'Too many requests; try again in a moment.',
  UNAUTHORIZED: 'Not authorized.',
  WAREHOUSE_UNAVAILABLE: 'The warehouse cannot be reached right now.',
  INTERNAL: 'The server could not handle the request.',
};

/** The query this page shows: the one started by the last Run view. */
let run = null;
let timer = null;
/** The exposed views by lower-case name, with their columns and operators, from list_views. */
const views = new Map();
/** The order the table is sorted in: { column, direction } or null. */
let sort = null;

function defaultEndpoint() {
  const param = new URLSearchParams(location.search).get('endpoint');
  if (param) {
    return param;
  }
  if (location.protocol === 'http:' || location.protocol === 'https:') {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  }
  return 'ws://localhost:8080/ws';
}

const api = new ApiConnection(defaultEndpoint());

/** Endpoints other than the page's own that the user agreed to send a token to. */
const trustedEndpoints = new Set();

/** The page's own WebSocket origin, when it was served over http(s). */
function ownEndpointOrigin() {
  if (location.protocol !== 'http:' && location.protocol !== 'https:') {
    return null;
  }
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

/**
 * Whether a token may go to the endpoint: at once to the page's own origin; to any other (a link's ?endpoint=, or
 * one typed) only once the user has seen and confirmed where it goes.
 */
function mayReceiveToken(url) {
  let origin;
  try {
    const parsed = new URL(url);
    origin = `${parsed.protocol}//${parsed.host}`;
  } catch (e) {
    return false;
  }
  if (origin === ownEndpointOrigin() || trustedEndpoints.has(origin)) {
    return true;
  }
  if (window.confirm(`Send your token to ${origin}? It is not the server this page came from.`)) {
    trustedEndpoints.add(origin);
    return true;
  }
  return false;
}

/** Signs in with the token typed, where the endpoint may receive it. */
function useTypedToken() {
  const token = $('token').value.trim();
  if (token && !mayReceiveToken(api.url)) {
    $('token').value = '';
    api.useToken('');
    return;
  }
  api.useToken(token);
}

// ---- connection ---------------------------------------------------------

api.addEventListener('state', (event) => {
  const { state, delay } = event.detail;
  const el = $('connection-state');
  el.dataset.state = state;
  el.textContent = {
    connecting: 'Connecting…',
    'signing-in': 'Signing in…',
    open: 'Connected',
    reconnecting: `Connection lost; reconnecting in ${seconds(delay)}`,
    closed: event.detail.reason || 'Disconnected',
  }[state];
  $('run').disabled = state !== 'open';
});

api.addEventListener('open', () => {
  loadViews();
  if (run && ACTIVE.has(run.state) && run.interrupted) {
    resume();
  } else if (run && run.pageInterrupted !== null && run.queryId) {
    // a page asked for when the connection went: asked for again, by the same query id, on the new connection
    const offset = run.pageInterrupted;
    run.pageInterrupted = null;
    fetchPage(offset);
  }
});

function loadViews() {
  api.request('list_views', {}, (reply) => {
    if (reply.type !== 'views') {
      return;
    }
    views.clear();
    for (const view of reply.views) {
      views.set(view.name.toLowerCase(), view);
    }
    chooseView();
    const list = $('view-list');
    list.replaceChildren(...reply.views.map((view) => {
      const option = document.createElement('option');
      option.value = view.name.toLowerCase();
      option.label = `${view.name} (${view.columns.length} columns)`;
      return option;
    }));
  });
}

/** Offers the typed view's columns for the question; a new view starts unsorted. */
function chooseView() {
  const view = views.get($('view-name').value.trim().toLowerCase()) || null;
  if (run && view && run.view.toLowerCase() !== view.name.toLowerCase()) {
    sort = null;
  }
  useView(view);
}

// ---- running a view -----------------------------------------------------

function startRun(view, pageSize, notice, fields) {
  if (run && run.requestId) {
    api.forget(run.requestId);
  }
  run = {
    view, pageSize, fields, queryId: null, state: 'submitted', startedAt: performance.now(), endedAt: null,
    total: 0, offset: 0, interrupted: false, requestId: null, pageInterrupted: null,
  };
  hideError();
  clearErrors();
  if (notice) {
    showError(null, notice);
  }
  $('results').hidden = true;
  $('query').hidden = false;
  setState('submitted');
  startTimer();
  const current = run;
  run.requestId = api.request('run_view', { view_name: view, page_size: pageSize, ...fields },
    (reply) => onRunReply(current, reply));
}

function onRunReply(current, reply) {
  if (current !== run) {
    return;
  }
  switch (reply.type) {
    case 'submitted':
      setState('submitted');
      break;
    case 'running':
      current.queryId = reply.query_id;
      $('query-id').textContent = `query ${reply.query_id}`;
      setState('running');
      break;
    case 'progress':
      setState(reply.status === 'QUEUED' ? 'queued' : 'running');
      break;
    case 'results':
      if (reply.complete === false) {
        // the first rows, while the rest is still being stored: shown at once, the count comes with "complete"
        current.firstPageAt = performance.now();
      } else {
        finish('done');
      }
      showPage(reply, null);
      break;
    case 'complete':
      finish('done');
      run.total = reply.total_rows;
      showRange(run.offset, run.rowCount);
      updatePager();
      break;
    case 'error':
      finish(reply.code === 'QUERY_CANCELLED' ? 'cancelled' : 'failed');
      if (reply.code === 'VIEW_NOT_FOUND' && views.has(current.view.toLowerCase())) {
        // listed a moment ago: what this principal may see has changed (the server's access policies)
        showError(null, `The view ${current.view} is no longer available to you; the list of views is updated.`);
        loadViews();
        break;
      }
      // a question the server refused: the words go beside the control they are about
      if (reply.code !== 'QUERY_CANCELLED'
          && !(reply.code === 'BAD_REQUEST' && showServerError(reply.message))) {
        showError(reply.code, reply.message);
      }
      if (reply.code === 'BAD_REQUEST') {
        // a column that is no longer granted is unknown: the view's columns as they are now
        loadViews();
      }
      break;
    case 'disconnected':
      if (ACTIVE.has(current.state)) {
        current.interrupted = true;
      }
      break;
    default:
      break;
  }
}

/** After a reconnect: picks the query up again, or starts it again if the server no longer knows it. */
function resume() {
  const current = run;
  current.interrupted = false;
  if (!current.queryId) {
    startRun(current.view, current.pageSize, 'The connection was lost before the query started; it was started again.',
      current.fields);
    return;
  }
  api.request('query_status', { query_id: current.queryId }, (reply) => {
    if (current !== run) {
      return;
    }
    if (reply.type === 'disconnected') {
      current.interrupted = true;
    } else if (reply.type === 'error' && reply.code === 'QUERY_NOT_FOUND') {
      startRun(current.view, current.pageSize, 'The connection was lost while the query ran; it was started again.',
        current.fields);
    } else if (reply.type === 'status') {
      if (reply.status === 'SUCCESS') {
        finish('done');
        fetchPage(0);
      } else if (reply.status === 'FAILED') {
        finish('failed');
        fetchPage(0);
      } else if (reply.status === 'CANCELLED') {
        finish('cancelled');
      } else {
        setState(reply.status === 'QUEUED' ? 'queued' : 'running');
        setTimeout(() => current === run && !current.interrupted && resume(), 1000);
      }
    }
  });
}

function cancelRun() {
  if (!run || !run.queryId || !ACTIVE.has(run.state)) {
    return;
  }
  const current = run;
  $('cancel').disabled = true;
  api.request('cancel', { query_id: current.queryId }, (reply) => {
    if (current !== run) {
      return;
    }
    if (reply.type === 'cancelled') {
      finish('cancelled');
    } else if (reply.type === 'status') {
      finish(reply.status === 'SUCCESS' ? 'done' : reply.status.toLowerCase());
    } else if (reply.type === 'error') {
      showError(reply.code, reply.message);
    }
  });
}

function setState(state) {
  run.state = state;
  const badge = $('query-state');
  badge.dataset.state = state;
  badge.textContent = STATE_LABELS[state];
  const progress = $('progress');
  progress.dataset.state = state;
  progress.setAttribute('aria-valuetext', STATE_LABELS[state]);
  $('cancel').disabled = !(ACTIVE.has(state) && run.queryId);
  $('download-csv').disabled = state !== 'done';
  $('download-parquet').disabled = state !== 'done';
  $('run').setAttribute('aria-busy', String(ACTIVE.has(state)));
}

function finish(state) {
  if (!run.endedAt) {
    run.endedAt = performance.now();
  }
  setState(state);
  stopTimer();
}

function startTimer() {
  stopTimer();
  const tick = () => {
    const end = run.endedAt || performance.now();
    $('elapsed').textContent = seconds(end - run.startedAt);
  };
  tick();
  timer = setInterval(tick, 100);
}

function stopTimer() {
  clearInterval(timer);
  timer = null;
  if (run) {
    $('elapsed').textContent = seconds((run.endedAt || performance.now()) - run.startedAt);
  }
}

// ---- pages --------------------------------------------------------------

function fetchPage(offset) {
  const current = run;
  const sentAt = performance.now();
  setPagerBusy(true);
  api.request('fetch_results', { query_id: current.queryId, offset, page_size: current.pageSize }, (reply) => {
    if (current !== run) {
      return;
    }
    setPagerBusy(false);
    if (reply.type === 'results') {
      hideError();
      showPage(reply, performance.now() - sentAt);
    } else if (reply.type === 'error') {
      showError(reply.code, reply.message);
    } else if (reply.type === 'disconnected') {
      current.pageInterrupted = offset;
      showError(null, 'The connection was lost; the page will be asked for again once it is back.');
    }
  });
}

function showPage(page, tookMs) {
  if (page.total_rows !== null && page.total_rows !== undefined) {
    run.total = page.total_rows;
  } else if (run.state !== 'done') {
    // its result is still being stored: the count is not known yet
    run.total = null;
  }
  run.offset = page.offset;
  run.rowCount = page.row_count;
  run.pageSize = page.page_size;
  run.columns = page.columns;
  renderTable(page);
  showRange(page.offset, page.row_count);
  $('page-time').textContent = tookMs === null
    ? `first page after ${seconds((run.endedAt || run.firstPageAt) - run.startedAt)}`
    : `page in ${Math.max(1, Math.round(tookMs))} ms`;
  $('results').hidden = false;
  updatePager();
  if (run.focusColumn) {
    // after a sort, the keyboard stays on the header of the column just sorted
    const header = [...document.querySelectorAll('#table thead button.sort')]
      .find((b) => b.dataset.column === run.focusColumn);
    if (header) {
      header.focus();
    }
    run.focusColumn = null;
  }
}

/** "Rows 1–100 of 5,000", or "of …" while the result is still being stored. */
function showRange(offset, rowCount) {
  const of = run.total === null ? '…' : count(run.total);
  $('range').textContent = rowCount === 0
    ? `No rows at ${count(offset)} of ${of}`
    : `Rows ${count(offset + 1)}–${count(offset + rowCount)} of ${of}`;
}

function renderTable(page) {
  const headRow = document.createElement('tr');
  for (const column of page.columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    if (isNumeric(column.type)) {
      th.className = 'num';
    }
    const sorted = sort && sort.column === column.name ? sort.direction : null;
    th.setAttribute('aria-sort', { asc: 'ascending', desc: 'descending' }[sorted] || 'none');
    // the header sorts: ascending, then descending, then as the view gives the rows
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.dataset.column = column.name;
    button.title = `Sort by ${column.name}`;
    const arrow = document.createElement('span');
    arrow.className = 'arrow';
    arrow.setAttribute('aria-hidden', 'true');
    arrow.textContent = { asc: '▲', desc: '▼' }[sorted] || '';
    button.append(column.name, arrow);
    button.addEventListener('click', () => sortBy(column.name));
    th.append(button);
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = column.type;
    th.append(type);
    headRow.append(th);
  }
  const body = document.createDocumentFragment();
  for (const row of page.results) {
    const tr = document.createElement('tr');
    for (const column of page.columns) {
      const { text, className } = formatCell(row[column.name], column.type);
      const td = document.createElement('td');
      td.textContent = text;
      if (className) {
        td.className = className;
      }
      tr.append(td);
    }
    body.append(tr);
  }
  $('table').tHead.replaceChildren(headRow);
  $('table').tBodies[0].replaceChildren(body);
}

function lastOffset() {
  return run.total === 0 ? 0 : Math.floor((run.total - 1) / run.pageSize) * run.pageSize;
}

function updatePager() {
  const atStart = run.offset <= 0;
  // while the count is not known, Next asks for the rows after these (answered once they are stored), and Last waits
  const atEnd = run.total === null ? run.rowCount < run.pageSize : run.offset + run.pageSize >= run.total;
  $('first').disabled = atStart;
  $('previous').disabled = atStart;
  $('next').disabled = atEnd;
  $('last').disabled = atEnd || run.total === null;
}

function setPagerBusy(busy) {
  for (const id of ['first', 'previous', 'next', 'last']) {
    $(id).disabled = busy;
  }
  if (!busy) {
    updatePager();
  }
}

/** Runs the question again sorted by a column: ascending, descending, then unsorted. */
function sortBy(column) {
  if (!run) {
    return;
  }
  if (!sort || sort.column !== column) {
    sort = { column, direction: 'asc' };
  } else if (sort.direction === 'asc') {
    sort = { column, direction: 'desc' };
  } else {
    sort = null;
  }
  $('sort-state').textContent = sort
    ? `Sorted by ${column}, ${sort.direction === 'asc' ? 'ascending' : 'descending'}`
    : 'Unsorted; click a column header to sort';
  const fields = { ...run.fields };
  delete fields.order_by;
  if (sort) {
    fields.order_by = [{ column: sort.column, direction: sort.direction }];
  }
  startRun(run.view, run.pageSize, null, fields);
  run.focusColumn = column;
}

// ---- downloads ----------------------------------------------------------

/** Asks for an export link for the result on screen and downloads it. */
function download(format) {
  const current = run;
  const error = $('download-error');
  error.hidden = true;
  if (!current || !current.queryId || current.state !== 'done') {
    return;
  }
  const button = $(`download-${format}`);
  button.disabled = true;
  api.request('export', { query_id: current.queryId, format }, (reply) => {
    button.disabled = false;
    if (reply.type === 'export') {
      const endpoint = new URL(api.url);
      const origin = `${endpoint.protocol === 'wss:' ? 'https:' : 'http:'}//${endpoint.host}`;
      const target = new URL(reply.url, origin);
      // only a download from the API's own origin, over http(s), is followed
      if (target.origin !== origin || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
        error.textContent = 'The server sent a download link to another site; it was not followed.';
        error.hidden = false;
        return;
      }
      const link = document.createElement('a');
      link.href = target.href;
      link.download = '';
      document.body.append(link);
      link.click();
      link.remove();
    } else {
      error.textContent = reply.type === 'error'
        ? `${ERROR_WORDS[reply.code] || ''} ${reply.message}`.trim()
        : 'The connection was lost; try again once it is back.';
      error.hidden = false;
    }
  });
}

// ---- errors -------------------------------------------------------------

function showError(code, message) {
  $('error-code').textContent = code || '';
  const words = code && ERROR_WORDS[code];
  $('error-message').textContent = words && message && !message.startsWith(words.slice(0, -1))
    ? `${words} ${message}` : (message || words || '');
  $('error').hidden = false;
}

function hideError() {
  $('error').hidden = true;
}

// ---- wiring -------------------------------------------------------------

$('endpoint').value = api.url;
$('endpoint').addEventListener('change', () => {
  const url = $('endpoint').value.trim();
  if (api.token && !mayReceiveToken(url)) {
    $('token').value = '';
    api.token = '';
  }
  api.connect(url);
});
$('token').addEventListener('change', useTypedToken);
$('run-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const view = $('view-name').value;
  if (!view) {
    showError('BAD_REQUEST', 'Type or pick the name of a view.');
    $('view-name').focus();
    return;
  }
  const fields = views.has(view.trim().toLowerCase()) ? questionFields(sort) : (clearErrors(), {});
  if (fields === null) {
    return; // a value that cannot be sent: its error is beside it
  }
  startRun(view, Number($('page-size').value), null, fields);
});
$('view-name').addEventListener('input', chooseView);
$('add-filter').addEventListener('click', addFilter);
$('download-csv').addEventListener('click', () => download('csv'));
$('download-parquet').addEventListener('click', () => download('parquet'));
$('cancel').addEventListener('click', cancelRun);
$('first').addEventListener('click', () => fetchPage(0));
$('previous').addEventListener('click', () => fetchPage(Math.max(0, run.offset - run.pageSize)));
$('next').addEventListener('click', () => fetchPage(run.offset + run.pageSize));
$('last').addEventListener('click', () => fetchPage(lastOffset()));
$('page-size').addEventListener('change', () => {
  if (run && run.state === 'done') {
    run.pageSize = Number($('page-size').value);
    fetchPage(Math.floor(run.offset / run.pageSize) * run.pageSize);
  }
});

api.connect();
