// #/runs/:id — one run: its live log, what it did and why it stopped, and the kill and resume
// buttons. The log streams on from the byte offset the page has reached, so a reconnect never shows
// output twice.

import { act, api, parseJson, showError } from './api.js';
import { lineChart } from './charts.js';
import { fill, h } from './dom.js';
import { agentText, agoOrIn, bytes, clock, compact, count, dateTime, relativeTo, toMs } from './format.js';
import { knownRuns } from './live.js';
import { logTail } from './log-tail.js';
import { runTimeline } from './run-timeline.js';
import { ACTIVE_RUN, RESUMABLE_RUN } from './states.js';
import { everySecond } from './ticker.js';
import { agoEl, badge, card, crumbs, elapsedEl, metaItem, wide } from './widgets.js';

const TAIL_LINES = 200;

export function runView(id) {
  let status = null;
  let expected = null;
  let growth = [];
  let stream = null;
  let ended = false;
  let offset = 0;
  let retryMs = 1000;
  let retryTimer = null;
  let destroyed = false;

  const stateSlot = h('span', { class: 'state-slot' });
  const titleSlot = h('h1', { class: 'run-title' }, h('span', { class: 'mono' }, id));
  const actions = h('div', { class: 'actions' });
  const retrying = h('p', { class: 'retrying', hidden: true });
  const meta = h('dl', { class: 'meta' });
  const reasons = h('ul', { id: 'reasons', class: 'reasons' });
  const reasonsEmpty = h('p', { class: 'muted' }, 'None: the run is going, or did what it was asked.');
  const followUp = h('pre', { id: 'follow-up', class: 'follow-up' });
  const followLabel = h('p', { class: 'field-label' }, 'Baton would send');
  const resumeBox = h('div', { class: 'resume-box' });
  const followCard = card('Follow-up', null, followLabel, followUp, resumeBox);
  const files = h('ul', { id: 'files', class: 'files' });
  const filesEmpty = h('p', { class: 'muted' }, 'None yet.');
  const filesInfo = h('span', { class: 'card-note' });
  const tools = h('div', { class: 'tools' });
  const commands = h('ul', { class: 'commands' });
  const errors = h('ul', { class: 'errors' });
  const errorsCard = card('Errors', null, errors);
  const timeline = runTimeline();
  const chart = h('div', { class: 'chart' });
  const chartNote = h('span', { class: 'card-note' });
  const log = logTail();
  const logNote = h('span', { class: 'card-note' }, 'loading…');
  const finalMessage = h('pre', { class: 'final' });
  const finalCard = card('Final message', null, finalMessage);

  const root = h(
    'section',
    { class: 'page', 'data-page': 'run', 'data-run-id': id },
    crumbs(h('span', { class: 'mono' }, id)),
    h('section', { class: 'card head' }, h('div', { class: 'title-row' }, titleSlot, stateSlot, actions), retrying, meta),
    h(
      'div',
      { class: 'columns' },
      h('div', { class: 'col-main' }, card('Log', logNote, log.root), card('Output lines', chartNote, chart), finalCard),
      h(
        'div',
        { class: 'col-side' },
        card('Reasons', null, reasons, reasonsEmpty),
        followCard,
        card('Timeline', null, timeline.list, timeline.empty),
        card('Files changed', filesInfo, files, filesEmpty),
        card('Tools and commands', null, tools, commands),
        errorsCard,
      ),
    ),
  );

  function setLogNote() {
    fill(logNote, ended ? 'ended' : stream ? h('span', { class: 'live-dot' }, 'live') : 'not streaming', ` · last ${count(log.shownLines())} lines shown`);
  }

  function render(next) {
    status = next.status ?? status;
    if (next.expected !== undefined) expected = next.expected;
    if (!status) return;
    const s = status;
    document.title = `${s.id} ${s.state} · Baton`;
    fill(stateSlot, badge(s.state));
    fill(titleSlot, h('span', { class: 'mono' }, s.id), s.name ? h('span', { class: 'run-name' }, s.name) : null);
    retrying.hidden = !s.retrying;
    retrying.textContent = s.retrying ? `⟳ ${s.retrying}` : '';
    renderMeta(s);
    renderActions(s);

    fill(reasons, ...(s.reasons ?? []).map((r) => h('li', {}, r)));
    reasonsEmpty.hidden = (s.reasons ?? []).length > 0;
    followUp.textContent = s.followUp ?? '';
    followUp.hidden = followLabel.hidden = !s.followUp;

    const changed = (s.filesChanged ?? []).map((f) => relativeTo(f, s.dir));
    fill(files, ...changed.map((f) => h('li', { class: 'mono', title: f }, f)));
    filesEmpty.hidden = changed.length > 0;
    filesInfo.textContent = `${changed.length} changed · ${count(s.filesRead ?? 0)} read`;

    const toolEntries = Object.entries(s.toolCounts ?? {}).filter(([, n]) => n > 0);
    fill(tools, ...toolEntries.map(([kind, n]) => h('span', { class: 'chip' }, kind, ' ', h('b', {}, count(n)))));
    if (toolEntries.length === 0) tools.append(h('span', { class: 'muted' }, 'no tool calls yet'));
    fill(
      commands,
      ...(s.commands ?? [])
        .slice()
        .reverse()
        .map((c) => h('li', {}, exitMark(c.exitCode, c.status), h('code', { title: c.command }, c.command), c.at ? h('span', { class: 'time' }, clock(typeof c.at === 'number' ? c.at : Date.parse(c.at))) : null)),
    );

    fill(
      errors,
      ...(s.errors ?? []).map((e) =>
        h('li', {}, h('span', { class: 'err-kind' }, e.api ? `API${e.status ? ` ${e.status}` : ''}` : 'error'), h('span', { class: 'err-msg' }, e.message), e.count > 1 ? h('span', { class: 'err-count' }, `×${e.count}`) : null),
      ),
    );
    errorsCard.hidden = (s.errors ?? []).length === 0;

    finalMessage.textContent = s.finalMessage ?? '';
    finalCard.hidden = !s.finalMessage;

    if (next.growth) growth = next.growth;
    renderChart();
    chartNote.textContent = Number.isFinite(s.recentLinesPerMinute) ? `+${count(s.recentLinesPerMinute)}/min over the last minute` : '';
    if (next.timeline) timeline.render(next.timeline);
  }

  function renderChart() {
    if (!status) return;
    const end = toMs(status.endedAt) ?? (ACTIVE_RUN.has(status.state) ? Date.now() : undefined);
    chart.innerHTML = lineChart(growth, { width: 760, height: 190, startMs: toMs(status.startedAt) ?? undefined, endMs: end });
  }

  function renderMeta(s) {
    const range = expected ?? s.expected ?? knownRuns.get(s.id)?.expected ?? null;
    const tokens = s.tokens ?? {};
    const tokenParts = [`${compact(tokens.input ?? 0)} in`, `${compact(tokens.output ?? 0)} out`];
    if (tokens.reasoning) tokenParts.push(`${compact(tokens.reasoning)} reasoning`);
    if (tokens.cacheRead) tokenParts.push(`${compact(tokens.cacheRead)} cache read`);
    if (tokens.cacheWrite) tokenParts.push(`${compact(tokens.cacheWrite)} cache write`);
    const exit =
      s.exitCode !== null && s.exitCode !== undefined
        ? h('span', { class: s.exitCode === 0 ? 'ok' : 'bad' }, `exit ${s.exitCode}`)
        : s.signal
          ? h('span', { class: 'bad' }, s.signal)
          : ACTIVE_RUN.has(s.state)
            ? h('span', { class: 'muted' }, `running${s.pid ? ` · pid ${s.pid}` : ''}`)
            : '–';
    fill(
      meta,
      metaItem('Agent', agentText(s)),
      metaItem('Model', s.model ? h('span', { class: 'mono', title: s.model }, s.model) : h('span', { class: 'muted' }, 'not reported')),
      wide(metaItem('Directory', h('span', { class: 'mono', title: s.dir }, s.dir))),
      wide(metaItem('Session', s.sessionId ? h('span', { class: 'mono', title: s.sessionId }, s.sessionId) : h('span', { class: 'muted' }, 'not reported yet'))),
      metaItem('Elapsed / expected', elapsedEl(s.elapsedMs, range, ACTIVE_RUN.has(s.state))),
      metaItem('Output', `${count(s.outputLines)} lines · ${bytes(s.outputBytes)}`),
      metaItem('Last output', agoEl(toMs(s.lastOutputAt))),
      wide(metaItem('Tokens', h('span', { title: tokenParts.join(' · ') }, tokenParts.join(' · ')))),
      metaItem('Cost', Number.isFinite(s.cost) ? `$${s.cost.toFixed(s.cost < 1 ? 3 : 2)}` : '–'),
      metaItem('Exit', exit),
      metaItem('Started', dateTime(toMs(s.startedAt))),
      s.endedAt ? metaItem('Ended', dateTime(toMs(s.endedAt))) : null,
      s.limitResetAt ? wide(metaItem('Limit lifts', dateTime(toMs(s.limitResetAt)), ' (', agoOrIn(toMs(s.limitResetAt)), ')')) : null,
      s.parentId ? metaItem('Resumed from', h('a', { class: 'mono', href: `#/runs/${encodeURIComponent(s.parentId)}` }, s.parentId)) : null,
    );
  }

  function renderActions(s) {
    const canKill = ACTIVE_RUN.has(s.state);
    let kill = actions.querySelector('#kill');
    if (canKill && !kill) {
      kill = h('button', { id: 'kill', type: 'button', class: 'btn danger' }, 'Kill');
      kill.addEventListener('click', () => {
        if (!window.confirm(`Kill run ${s.id}? Its whole process group gets SIGTERM, then SIGKILL.`)) return;
        act(kill, async () => {
          const data = await api('POST', `/api/runs/${encodeURIComponent(id)}/kill`);
          render(asDetail(data?.status));
        });
      });
      actions.append(kill);
    } else if (!canKill && kill) kill.remove();

    const canResume = RESUMABLE_RUN.has(s.state) && Boolean(s.sessionId);
    if (canResume && !resumeBox.firstChild) {
      const prompt = h('textarea', { id: 'resume-prompt', rows: '3', placeholder: 'Leave empty to send Baton’s follow-up' });
      const resume = h('button', { id: 'resume', type: 'button', class: 'btn primary' }, 'Resume');
      resume.addEventListener('click', () =>
        act(resume, async () => {
          const text = prompt.value.trim();
          const data = await api('POST', `/api/runs/${encodeURIComponent(id)}/resume`, text ? { prompt: text } : {});
          if (data?.id) location.hash = `#/runs/${encodeURIComponent(data.id)}`;
          else render(asDetail(data?.status));
        }),
      );
      resumeBox.append(
        h('label', { class: 'field-label', for: 'resume-prompt' }, s.followUp ? 'Or write your own (optional)' : 'Prompt (optional)'),
        prompt,
        h('div', { class: 'resume-actions' }, h('span', { class: 'muted' }, 'Starts a new run in the same session.'), resume),
      );
    } else if (!canResume && resumeBox.firstChild) fill(resumeBox);
    followCard.hidden = !s.followUp && !canResume;
  }

  function openStream() {
    if (destroyed || ended) return;
    stream = new EventSource(`/api/runs/${encodeURIComponent(id)}/stream?offset=${offset}`);
    stream.addEventListener('open', () => {
      retryMs = 1000;
      setLogNote();
    });
    stream.addEventListener('tail', (event) => {
      const data = parseJson(event.data);
      if (!data || typeof data.text !== 'string') return;
      log.append(data.text);
      offset = Number.isFinite(data.offset) ? data.offset : offset + new TextEncoder().encode(data.text).length;
      setLogNote();
    });
    stream.addEventListener('skipped', (event) => {
      log.skipped(parseJson(event.data)?.bytes ?? 0);
    });
    stream.addEventListener('status', (event) => {
      const data = parseJson(event.data);
      if (data) render(data);
    });
    stream.addEventListener('end', () => {
      ended = true;
      closeStream();
      setLogNote();
      refreshStatus(); // the final state, in case its status event raced the end of the stream
    });
    stream.addEventListener('error', () => {
      // Reconnect ourselves, from the offset we have reached, so no output is shown twice.
      closeStream();
      setLogNote();
      if (destroyed || ended) return;
      retryTimer = setTimeout(() => {
        refreshStatus();
        openStream();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    });
  }

  function closeStream() {
    stream?.close();
    stream = null;
  }

  async function refreshStatus() {
    try {
      render(await api('GET', `/api/runs/${encodeURIComponent(id)}`));
    } catch (error) {
      showError(error.message);
    }
  }

  async function start() {
    try {
      const [detail, lastLines] = await Promise.all([api('GET', `/api/runs/${encodeURIComponent(id)}`), api('GET', `/api/runs/${encodeURIComponent(id)}/tail?lines=${TAIL_LINES}`)]);
      if (destroyed) return;
      render(detail);
      const lines = lastLines?.lines ?? [];
      // A last line without its newline is still being written: the stream completes it.
      if (lines.length) log.append(`${lines.join('\n')}${lastLines?.partial ? '' : '\n'}`);
      else log.showEmpty(lastLines?.missing ? 'no log file (yet)' : undefined);
      log.scrollToEnd();
      offset = lastLines?.offset ?? 0;
      setLogNote();
      openStream();
    } catch (error) {
      showError(error.message);
      logNote.textContent = 'unavailable';
    }
  }

  // Keep the chart's time axis moving while the run is active but quiet.
  let ticks = 0;
  const onTick = () => {
    ticks += 1;
    if (ticks % 10 === 0 && status && ACTIVE_RUN.has(status.state)) renderChart();
  };
  const stopTicking = everySecond(onTick);

  start();
  return {
    root,
    destroy() {
      destroyed = true;
      clearTimeout(retryTimer);
      closeStream();
      stopTicking();
    },
  };
}

/** An action's `status`: a RunStatus, or a whole detail ({status, growth, timeline, expected}). */
function asDetail(value) {
  if (value && typeof value.status === 'object' && value.status !== null) return value;
  return { status: value ?? null };
}

function exitMark(exitCode, status) {
  if (exitCode !== undefined && exitCode !== null) return h('span', { class: `exit ${exitCode === 0 ? 'ok' : 'bad'}` }, `exit ${exitCode}`);
  if (status === 'error') return h('span', { class: 'exit bad' }, 'error');
  if (status === 'running' || status === 'pending') return h('span', { class: 'exit wait' }, status);
  return h('span', { class: 'exit' }, status ?? '');
}
