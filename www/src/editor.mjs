// The Lua editor: CodeMirror 6 with the Lua legacy mode, colours from CSS variables (so the
// page's light and dark themes apply), Mod-Enter to run, and script errors shown at their line.
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { EditorState, Prec } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { StreamLanguage, HighlightStyle, syntaxHighlighting, bracketMatching, indentOnInput } from '@codemirror/language';
import { lua } from '@codemirror/legacy-modes/mode/lua';
import { setDiagnostics, lintGutter } from '@codemirror/lint';
import { tags as t } from '@lezer/highlight';

const highlight = HighlightStyle.define([
  { tag: t.keyword, color: 'var(--hl-keyword)', fontWeight: '600' },
  { tag: [t.string, t.special(t.string)], color: 'var(--hl-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--hl-number)' },
  { tag: t.comment, color: 'var(--hl-comment)', fontStyle: 'italic' },
  { tag: t.variableName, color: 'var(--hl-name)' },
  // The Lua mode's "builtin" words (redis is not one; string, table, pairs, ... are).
  { tag: t.standard(t.variableName), color: 'var(--hl-builtin)' },
  { tag: t.operator, color: 'var(--hl-operator)' },
]);

const theme = EditorView.theme({
  '&': { fontSize: '0.9rem', background: 'var(--code-bg)', color: 'var(--fg)' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--accent)' },
  '.cm-gutters': { background: 'var(--code-bg)', color: 'var(--muted)', border: 'none' },
  '.cm-activeLine, .cm-activeLineGutter': { background: 'var(--active-line)' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-2px' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { background: 'var(--selection) !important' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--err)' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy var(--err)', textUnderlineOffset: '3px' },
  '.cm-tooltip': { background: 'var(--card)', border: '1px solid var(--border)', color: 'var(--fg)' },
});

/**
 * Creates the editor in `parent`. `onRun()` on Mod-Enter; `onChange(text)` after edits.
 * Tab is left to the browser (focus moves on), as an accessible editor should.
 */
export function createEditor(parent, { doc, onRun, onChange, label }) {
  let marked = false;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        indentOnInput(),
        bracketMatching(),
        lintGutter(),
        StreamLanguage.define(lua),
        syntaxHighlighting(highlight),
        theme,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (onRun(), true) }])),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          // An edit makes the error mark stale; views cannot dispatch inside an update.
          if (marked) queueMicrotask(() => api.showError(null));
          onChange(u.state.doc.toString());
        }),
      ],
    }),
  });

  const api = {
    view,
    get text() {
      return view.state.doc.toString();
    },
    set text(s) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: s } });
    },
    /** Marks `line` (1-based) with `message`, or clears the marks when line is null. */
    showError(line, message) {
      const doc = view.state.doc;
      marked = false;
      if (line === null || line < 1 || line > doc.lines) {
        view.dispatch(setDiagnostics(view.state, []));
        return;
      }
      const l = doc.line(line);
      // Underline the line's text, not its indentation.
      const from = l.from + (l.text.length - l.text.trimStart().length);
      marked = true;
      view.dispatch(setDiagnostics(view.state, [{ from, to: Math.max(from, l.to), severity: 'error', message }]));
      view.dispatch({ effects: EditorView.scrollIntoView(from, { y: 'center' }) });
    },
    focus: () => view.focus(),
  };
  return api;
}
