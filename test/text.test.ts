import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clip, clipCounted, createControlStripper, ellipsize, escapeControls, flatLine, stripTerminalControls, terminalSafe } from '../src/text.js';

/** Every kind of sequence that can drive a terminal, each between two visible words. */
const HOSTILE: [string, string][] = [
  ['CSI colour', '\x1b[31;1m'],
  ['CSI cursor move', '\x1b[2J\x1b[H'],
  ['OSC title, BEL-ended', '\x1b]0;pwned\x07'],
  ['OSC hyperlink, ST-ended', '\x1b]8;;http://evil\x1b\\'],
  ['DCS string', '\x1bP1$r0m\x1b\\'],
  ['APC string', '\x1b_hidden\x1b\\'],
  ['ESC c (full reset)', '\x1bc'],
  ['ESC ( 0 (line-drawing charset)', '\x1b(0'],
  ['ESC # 8 (screen alignment)', '\x1b#8'],
  ['ESC 7 (save cursor)', '\x1b7'],
  ['8-bit CSI U+009B', '\u009b2J'],
  ['8-bit OSC U+009D', '\u009d0;title\u009c'],
  ['8-bit NEL U+0085', '\u0085'],
  ['DEL', '\x7f'],
  ['BEL', '\x07'],
  ['backspace', '\b\b\b'],
  ['carriage return', '\r'],
  ['vertical tab and form feed', '\x0b\x0c'],
  ['NUL', '\x00'],
];

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\u009f]/;

test('stripTerminalControls removes every escape and control, keeping the words, newlines and tabs', () => {
  for (const [what, sequence] of HOSTILE) {
    assert.equal(stripTerminalControls(`before${sequence}after`), 'beforeafter', what);
  }
  assert.equal(stripTerminalControls('a\tb\nc'), 'a\tb\nc');
  assert.equal(stripTerminalControls('plain text, ünïcödé ✓'), 'plain text, ünïcödé ✓');
  const all = HOSTILE.map(([, s]) => `x${s}`).join('');
  assert.doesNotMatch(stripTerminalControls(all), CONTROL);
});

test('an unended escape at the end of the text is removed, not left half-way', () => {
  assert.equal(stripTerminalControls('ok\x1b'), 'ok');
  assert.equal(stripTerminalControls('ok\x1b[12'), 'ok');
  assert.equal(stripTerminalControls('ok\x1b]0;title never ends'), 'ok');
});

test('terminalSafe keeps only the colour codes Baton itself writes', () => {
  assert.equal(terminalSafe('\x1b[1mbold\x1b[22m \x1b[31mred\x1b[39m'), '\x1b[1mbold\x1b[22m \x1b[31mred\x1b[39m');
  for (const [what, sequence] of HOSTILE) {
    if (what === 'CSI colour') continue;
    assert.equal(terminalSafe(`before${sequence}after`), 'beforeafter', what);
  }
  assert.equal(terminalSafe('x\x1b[31;1my'), 'xy', 'a combined SGR is not one Baton writes');
});

test('escapeControls keeps a value on one line and shows what is there', () => {
  assert.equal(escapeControls('evil\nname\x1b[31m\u009b'), 'evil\\nname\\e[31m\\x9b');
  assert.equal(escapeControls('fine-name'), 'fine-name');
  assert.doesNotMatch(escapeControls(HOSTILE.map(([, s]) => s).join('')), CONTROL);
});

test('a stream cut inside an escape sequence shows none of it (tail -f)', () => {
  const text = 'a\x1b[31mred\x1b]0;title\x07b\u009b2Jc\x1b(0d\n';
  for (let size = 1; size <= 5; size++) {
    const strip = createControlStripper();
    let out = '';
    for (let i = 0; i < text.length; i += size) out += strip(text.slice(i, i + size));
    out += strip('');
    assert.equal(out, 'aredbcd\n', `chunks of ${size}`);
  }
});

test('an escape that never ends is not held for ever', () => {
  const strip = createControlStripper();
  assert.equal(strip('x\x1b]0;'), 'x');
  const out = strip('y'.repeat(5_000));
  assert.ok(out.length === 0 || !/[\x00-\x08\x0b-\x1f\x7f-\u009f]/.test(out));
  assert.equal(strip('\nmore'), '\nmore');
});

test('clip, ellipsize and clipCounted never cut a surrogate pair in two; clipCounted counts what it left out', () => {
  const text = `ab${'😀'.repeat(3)}`; // each emoji is two UTF-16 units
  assert.equal(clip(text, 3), 'ab');
  assert.equal(ellipsize(text, 4), 'ab…');
  assert.equal(clipCounted(text, 3), `ab… [6 more chars]`);
  assert.equal(clipCounted('short', 5), 'short');
  assert.equal(flatLine('  one\n\ttwo   three ', 8), 'one two…');
});
