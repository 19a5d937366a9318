/* modelcard edit: the page.  The form is @json-editor/json-editor (vendor/), built from
 * GET /api/schema; validation, preview, drafts and saves go to the local server, which
 * uses modelcard's own rules.  The session token comes from the page's <meta> and travels
 * in the X-Modelcard-Token header (never a cookie).  No inline script or style: the
 * page's CSP forbids both. */
(function () {
  'use strict';

  var token = document.querySelector('meta[name="modelcard-token"]').getAttribute('content');
  var $ = function (id) { return document.getElementById(id); };

  var state = {
    editor: null,
    session: null,
    baseSha: null,
    exists: false,
    savedJSON: null,      // the form's value at load or at the last save
    dirty: false,
    layout: 'card',
    previewRev: null,
    timers: {},
    seq: { validate: 0, preview: 0 },
    saving: false,
    serverGone: false,
    draftSavedAt: null,
    diagnostics: []
  };

  // ---------------------------------------------------------------- server

  function api(method, path, body, extra) {
    var opts = { method: method, headers: { 'X-Modelcard-Token': token }, cache: 'no-store',
                 credentials: 'omit', redirect: 'error' };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    if (extra && extra.keepalive) { opts.keepalive = true; }
    return fetch(path, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error(data.error || res.statusText || ('HTTP ' + res.status));
          err.status = res.status;
          err.data = data;
          throw err;
        }
        return data;
      });
    }, function (netError) {
      serverGone();
      throw netError;
    });
  }

  function serverGone() {
    if (state.serverGone) { return; }
    state.serverGone = true;
    $('mc-save').disabled = true;
    showBanner('error',
      'The editor server is not answering: it was stopped (Ctrl-C) or it stopped after its idle timeout. ' +
      (state.draftSavedAt ? 'Your changes up to ' + time(state.draftSavedAt) + ' are in the draft file beside the card. ' : '') +
      'Download what the form holds now, then run modelcard edit again.',
      [{ label: 'Download', action: download }]);
    setStatus('Server stopped');
  }

  // ---------------------------------------------------------------- page bits

  function setStatus(text, kind) {
    var el = $('mc-status');
    el.textContent = text;
    el.className = 'mc-status' + (kind ? ' mc-status-' + kind : '');
  }

  function time(iso) {
    var d = iso ? new Date(iso) : new Date();
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
  }

  function showBanner(kind, message, buttons) {
    var banner = $('mc-banner');
    banner.textContent = '';
    banner.className = 'mc-banner mc-banner-' + kind;
    var p = document.createElement('p');
    p.textContent = message;
    banner.appendChild(p);
    (buttons || []).forEach(function (b) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = b.label;
      if (b.id) { button.id = b.id; }
      if (b.primary) { button.className = 'mc-primary'; }
      button.addEventListener('click', function () { b.action(); });
      banner.appendChild(button);
    });
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'mc-banner-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', hideBanner);
    banner.appendChild(close);
    banner.hidden = false;
  }

  function hideBanner() {
    $('mc-banner').hidden = true;
    $('mc-banner').textContent = '';
  }

  function value() { return state.editor.getValue(); }

  function download() {
    var blob = new Blob([JSON.stringify(value(), null, 2) + '\n'], { type: 'application/json' });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = (state.session ? state.session.file : 'card') + '.unsaved.json';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // ---------------------------------------------------------------- the form

  function defineTheme() {
    var Html = JSONEditor.defaults.themes.html;
    // The html theme hides some labels with inline style="" attributes, which the page's CSP
    // blocks; this theme hides them with a class instead (same markup otherwise).
    class ModelcardTheme extends Html {
      getHiddenLabel(text) {
        var el = document.createElement('label');
        el.textContent = text;
        el.classList.add('mc-sr-only');
        return el;
      }
      getHiddenText(text) {
        var el = document.createElement('span');
        el.textContent = text;
        el.classList.add('mc-sr-only');
        return el;
      }
      visuallyHidden(el) { if (el) { el.classList.add('mc-sr-only'); } }
      cleanText(txt) { return txt == null ? '' : String(txt); }  // shown with textContent: no HTML parsing
      getOptInCheckbox(formname) {
        var container = document.createElement('span');
        var label = this.getHiddenLabel(formname + ' opt-in');
        label.setAttribute('for', formname + '-opt-in');
        var checkbox = document.createElement('input');
        checkbox.setAttribute('type', 'checkbox');
        checkbox.setAttribute('id', formname + '-opt-in');
        checkbox.setAttribute('title', 'include this field');
        checkbox.classList.add('json-editor-opt-in');
        container.appendChild(checkbox);
        container.appendChild(label);
        return { label: label, checkbox: checkbox, container: container };
      }
    }
    JSONEditor.defaults.themes.modelcard = ModelcardTheme;

    // Numbers: an empty field is "not given" (left out of the value, so validation says the field
    // is missing), text that is not a number is passed on as text (validation says what it got).
    // This replaces the library's getValue, which with use_default_values: false clears the input
    // while a value is being set (json-editor 2.17.2), losing every loaded decimal number.
    var NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
    function numberValue(editor, integer) {
      if (!editor.dependenciesFulfilled) { return undefined; }
      var v = editor.value;
      if (v === '' || v === undefined || v === null) { return undefined; }
      if (typeof v === 'number') { return v; }
      if (!NUMBER.test(String(v)) || !isFinite(parseFloat(v))) { return v; }
      return integer && /^\s*[-+]?\d+\s*$/.test(String(v)) ? parseInt(v, 10) : parseFloat(v);
    }
    class NumberEditor extends JSONEditor.defaults.editors.number {
      getValue() { return numberValue(this, false); }
    }
    class IntegerEditor extends JSONEditor.defaults.editors.integer {
      getValue() { return numberValue(this, true); }
    }
    JSONEditor.defaults.editors.number = NumberEditor;
    JSONEditor.defaults.editors.integer = IntegerEditor;

    // Text is text.  Without DOMPurify the library "purifies" every value by parsing it as HTML
    // and keeping only its text, which silently drops anything between < and > ("a <b> c",
    // "<https://...>" autolinks) and parses hostile markup.  The form only ever puts values in
    // input.value and textContent, so values pass through unchanged.
    JSONEditor.AbstractEditor.prototype.purify = function (val) { return val; };
    JSONEditor.AbstractEditor.prototype.cleanText = function (txt) { return txt == null ? '' : String(txt); };
  }

  function buildEditor(schema, document_) {
    var holder = $('mc-form');
    holder.textContent = '';
    var editor = new JSONEditor(holder, {
      schema: schema,
      startval: document_,
      theme: 'modelcard',
      iconlib: null,
      disable_theme_rules: true,      // styles come from vendor/jsoneditor.css (CSP: no inline style)
      show_errors: 'never',           // problems come from modelcard's own validation
      show_opt_in: true,              // optional fields are left out until ticked
      display_required_only: false,
      disable_edit_json: true,
      disable_properties: true,
      disable_array_delete_all_rows: true,
      disable_array_delete_last_row: true,
      prompt_before_delete: true,
      no_additional_properties: true,
      keep_oneof_values: false,
      use_default_values: false,
      ajax: false
    });
    return editor;
  }

  function editorFor(pointer) {
    var parts = pointer.slice();
    while (true) {
      var ed = state.editor.getEditor(['root'].concat(parts).join('.'));
      if (ed && ed.container && ed.container.isConnected) { return { editor: ed, exact: parts.length === pointer.length }; }
      if (!parts.length) { return null; }
      parts.pop();
    }
  }

  function markerFor(diag) {
    var el = document.createElement('div');
    el.className = 'mc-diag mc-diag-' + diag.severity;
    el.setAttribute('data-mc-path', diag.path || '');
    el.setAttribute('data-mc-code', diag.code || '');
    el.setAttribute('role', diag.severity === 'error' ? 'alert' : 'note');
    var where = diag.line ? 'line ' + diag.line + (diag.col ? ':' + diag.col : '') : '';
    var label = { error: 'error', warning: 'warning', todo: 'to do' }[diag.severity] || diag.severity;
    el.textContent = label + ': ' + diag.message + ' [' + diag.code + ']' + (where ? ' · ' + where : '');
    return el;
  }

  function clearMarkers() {
    document.querySelectorAll('#mc-form .mc-diag').forEach(function (el) { el.remove(); });
    document.querySelectorAll('#mc-form .mc-has-error, #mc-form .mc-has-todo, #mc-form .mc-has-warning')
      .forEach(function (el) { el.classList.remove('mc-has-error', 'mc-has-todo', 'mc-has-warning'); });
  }

  function showDiagnostics(result) {
    state.diagnostics = result.diagnostics;
    clearMarkers();
    var list = $('mc-problem-list');
    list.textContent = '';
    result.diagnostics.forEach(function (diag) {
      var found = editorFor(diag.pointer || []);
      var marker = markerFor(diag);
      if (found) {
        var ed = found.editor;
        var title = ed.title && ed.title.parentNode === ed.container ? ed.title : null;
        if (title && (ed.editor_holder || ed.row_holder)) {
          ed.container.insertBefore(marker, title.nextSibling);
        } else {
          ed.container.appendChild(marker);
        }
        ed.container.classList.add('mc-has-' + diag.severity);
      }
      var li = document.createElement('li');
      li.className = 'mc-problem mc-problem-' + diag.severity;
      var link = document.createElement('button');
      link.type = 'button';
      link.className = 'mc-linklike';
      link.textContent = diag.text;
      link.addEventListener('click', function () {
        if (marker.isConnected) {
          marker.scrollIntoView({ block: 'center' });
        }
      });
      li.appendChild(link);
      if (!found || !found.exact) {
        var note = document.createElement('span');
        note.className = 'mc-problem-note';
        note.textContent = diag.code === 'unknown-key' ?
          ' (not a form field: fix it in the file; the editor keeps it as it is)' : '';
        li.appendChild(note);
      }
      list.appendChild(li);
    });
    var c = result.counts;
    var parts = [];
    parts.push(c.errors + (c.errors === 1 ? ' error' : ' errors'));
    if (c.warnings) { parts.push(c.warnings + (c.warnings === 1 ? ' warning' : ' warnings')); }
    if (!c.errors) { parts.push(c.todo + ' to do'); }  // --strict's checks run on a card without errors
    $('mc-counts').textContent = parts.join(' · ');
    $('mc-counts').className = 'mc-counts ' + (c.errors ? 'mc-counts-bad' : 'mc-counts-ok');
    $('mc-problem-count').textContent = '(' + result.diagnostics.length + ')';
    document.body.setAttribute('data-mc-errors', String(c.errors));
  }

  // ---------------------------------------------------------------- live validation and preview

  function schedule(name, delay, fn) {
    clearTimeout(state.timers[name]);
    state.timers[name] = setTimeout(fn, delay);
  }

  function validate() {
    var seq = ++state.seq.validate;
    document.body.setAttribute('data-mc-validating', '1');
    return api('POST', '/api/validate', { document: value() }).then(function (result) {
      if (seq !== state.seq.validate) { return; }
      showDiagnostics(result);
      if (result.in_place === false && !state.rewriteWarned) {
        state.rewriteWarned = true;
        showBanner('warning', 'This file uses YAML anchors or merge keys around what you changed, so it cannot be ' +
                   'edited in place: saving will offer to rewrite the whole file (its comments and layout are then lost).');
      }
      document.body.setAttribute('data-mc-validated', String(seq));
      document.body.removeAttribute('data-mc-validating');
    }, function (err) {
      if (seq !== state.seq.validate) { return; }
      document.body.removeAttribute('data-mc-validating');
      if (err.status) {
        setStatus('Validation failed: ' + err.message, 'bad');
      }
    });
  }

  function previewUrl() {
    return '/preview/' + state.previewRev + '/' + state.layout + '.html?token=' + encodeURIComponent(token);
  }

  function preview() {
    var seq = ++state.seq.preview;
    return api('POST', '/api/preview', { document: value() }).then(function (result) {
      if (seq !== state.seq.preview) { return; }
      var note = $('mc-preview-note');
      var frame = $('mc-preview');
      if (result.ok) {
        state.previewRev = result.rev;
        frame.src = previewUrl();
        frame.classList.remove('mc-stale');
        note.textContent = result.refused.length ?
          result.refused.length + ' image(s) not embedded (only images under the card\'s folder are)' : '';
      } else {
        frame.classList.add('mc-stale');
        note.textContent = result.message;
      }
    }, function () {});
  }

  function selectLayout(layout) {
    state.layout = layout;
    $('mc-tab-card').setAttribute('aria-selected', String(layout === 'card'));
    $('mc-tab-scorecard').setAttribute('aria-selected', String(layout === 'scorecard'));
    if (state.previewRev !== null) { $('mc-preview').src = previewUrl(); }
  }

  // ---------------------------------------------------------------- dirty state, drafts

  function updateDirty() {
    state.dirty = JSON.stringify(value()) !== state.savedJSON;
    document.body.classList.toggle('mc-dirty', state.dirty);
    if (!state.saving && !state.serverGone) {
      $('mc-save').disabled = false;
      if (state.dirty) {
        setStatus('Unsaved changes' + (state.draftSavedAt ? ' · draft ' + time(state.draftSavedAt) : ''), 'dirty');
      } else if (!state.exists) {
        setStatus('New card: not written until you save');
      } else {
        setStatus('No unsaved changes', 'ok');
      }
    }
  }

  function saveDraft(keepalive) {
    if (!state.dirty || state.serverGone) { return Promise.resolve(); }
    return api('POST', '/api/draft', { document: value(), base_sha256: state.baseSha },
               { keepalive: !!keepalive }).then(function (result) {
      state.draftSavedAt = result.saved_at;
      document.body.setAttribute('data-mc-draft', result.saved_at);
      updateDirty();
    }, function () {});
  }

  function onChange() {
    if (!state.editor || !state.editor.ready) { return; }
    updateDirty();
    schedule('validate', 350, validate);
    schedule('preview', 900, preview);
    if (state.dirty) { schedule('draft', 1500, function () { saveDraft(false); }); }
  }

  // ---------------------------------------------------------------- save, conflicts, reload

  function save(options) {
    options = options || {};
    if (state.saving) { return; }
    state.saving = true;
    $('mc-save').disabled = true;
    setStatus('Saving…');
    var current = value();
    api('POST', '/api/save', { document: current, base_sha256: state.baseSha,
                               overwrite: !!options.overwrite, rewrite: !!options.rewrite })
      .then(function (result) {
        state.saving = false;
        state.baseSha = result.sha256;
        state.exists = true;
        state.savedJSON = JSON.stringify(current);
        state.draftSavedAt = null;
        document.body.removeAttribute('data-mc-draft');
        hideBanner();
        updateDirty();
        setStatus('Saved ' + time() + (result.errors ? ' — ' + result.errors + ' error(s) left' : ' — valid'),
                  result.errors ? 'dirty' : 'ok');
        document.body.setAttribute('data-mc-saved', result.sha256);
        validate();
      }, function (err) {
        state.saving = false;
        updateDirty();
        if (err.status === 409 && err.data && err.data.conflict) {
          setStatus('Not saved: the file changed on disk', 'bad');
          showBanner('conflict', err.message + '. Reload it (your changes stay in the draft and can be put back), ' +
                     'or overwrite it with the form\'s content (comments added on disk are kept).', [
            { label: 'Reload from disk', id: 'mc-reload', action: reload },
            { label: 'Overwrite', id: 'mc-overwrite', primary: true, action: function () { save({ overwrite: true }); } }
          ]);
        } else if (err.status === 422 && err.data && err.data.can_rewrite) {
          setStatus('Not saved', 'bad');
          showBanner('warning', err.message, [
            { label: 'Rewrite the whole file', id: 'mc-rewrite', action: function () { save({ rewrite: true, overwrite: !!options.overwrite }); } }
          ]);
        } else if (err.status) {
          setStatus('Not saved: ' + err.message, 'bad');
        }
      });
  }

  function reload() {
    var mine = value();
    hideBanner();
    api('GET', '/api/session').then(function (session) {
      loadSession(session);
      state.editor.setValue(session.document);
      showBanner('info', 'Reloaded ' + session.card + ' from disk.', [
        { label: 'Put my changes back', id: 'mc-putback', action: function () { hideBanner(); state.editor.setValue(mine); } }
      ]);
    }, function (err) {
      if (err.status) { showBanner('error', 'Cannot reload: ' + err.message); }
    });
  }

  function loadSession(session) {
    state.session = session;
    state.baseSha = session.sha256;
    state.exists = session.exists;
    $('mc-file').textContent = session.card;
    document.title = session.file + ' — modelcard edit';
  }

  function offerDraft(draft) {
    if (!draft) { return; }
    if (draft.unreadable) {
      showBanner('warning', 'A draft was found at ' + draft.path + ' but it cannot be read; it was left alone.');
      return;
    }
    showBanner('info', 'Unsaved changes from ' + time(draft.saved_at) + ' were found (' + draft.path + ').' +
               (draft.same_base ? '' : ' The file changed on disk after that draft was made.'), [
      { label: 'Restore them', id: 'mc-restore', primary: true, action: function () {
          hideBanner();
          state.editor.setValue(draft.document);
          state.draftSavedAt = draft.saved_at;
        } },
      { label: 'Discard them', id: 'mc-discard', action: function () {
          hideBanner();
          api('POST', '/api/draft/discard', {}).catch(function () {});
        } }
    ]);
  }

  // ---------------------------------------------------------------- start

  function start() {
    defineTheme();
    Promise.all([api('GET', '/api/schema'), api('GET', '/api/session')]).then(function (got) {
      var schema = got[0], session = got[1];
      loadSession(session);
      var editor = buildEditor(schema, session.document);
      state.editor = editor;
      window.modelcardEdit = { editor: editor, state: state, validate: validate, save: save };  // for tests
      editor.on('ready', function () {
        state.savedJSON = JSON.stringify(editor.getValue());
        editor.on('change', onChange);
        updateDirty();
        document.body.setAttribute('data-mc-ready', '1');
        validate();
        preview();
        offerDraft(session.draft);
      });
    }, function (err) {
      var details = err.data && err.data.diagnostics ?
        err.data.diagnostics.map(function (d) { return d.text; }).join('\n') : '';
      showBanner('error', 'Cannot open the card: ' + err.message + (details ? '\n' + details : '') +
                 ' Fix the file in a text editor, then reload this page.');
      setStatus('Not loaded', 'bad');
    });

    $('mc-save').addEventListener('click', function () { save(); });
    $('mc-download').addEventListener('click', download);
    $('mc-tab-card').addEventListener('click', function () { selectLayout('card'); });
    $('mc-tab-scorecard').addEventListener('click', function () { selectLayout('scorecard'); });
    $('mc-strict').addEventListener('change', function (e) {
      document.body.classList.toggle('mc-hide-todo', !e.target.checked);
    });
    document.addEventListener('keydown', function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === 's') { e.preventDefault(); save(); }
    });
    window.addEventListener('beforeunload', function (e) {
      if (state.dirty && !state.serverGone) {
        saveDraft(true);
        e.preventDefault();
        e.returnValue = '';
      }
    });
    window.addEventListener('pagehide', function () { if (state.dirty) { saveDraft(true); } });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden' && state.dirty) { saveDraft(true); }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
