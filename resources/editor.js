/*
 * The editor side shared by every node of node-red-contrib-recorders, loaded once by each node's
 * HTML (`resources/node-red-contrib-recorders/editor.js`). One job per section:
 *
 * - text that came from a server or a message reaches the DOM only as text (`escape`, `notify`,
 *   `serverError`, and pickers that build options with `.text()`);
 * - node defaults come from the runtime's field tables (`registerFields`, injected by the build),
 *   with the node's own HTML defaults as fallback, merged with editor-only validators (`defaults`);
 * - the edit dialog never changes a flow by itself (`register`): a property that is missing in a
 *   saved flow is shown with the value the runtime gives it, and stays missing unless the user
 *   changes it;
 * - validators for config fields, which skip fields that are hidden or not used (`valid`);
 * - the pick list used by the camera and signal searches (`picker`) and the schedule preview.
 */
(function () {
  'use strict';
  if (window.RecordersEditor) return;

  // ---------------------------------------------------------------------------------------------
  // Text from elsewhere
  // ---------------------------------------------------------------------------------------------

  var MAX_TEXT = 300;

  /** Any value as a plain string of bounded length, control characters replaced. */
  function plain(value, max) {
    var s = value === undefined || value === null ? '' : String(value);
    // eslint-disable-next-line no-control-regex
    s = s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
    var limit = max || MAX_TEXT;
    return s.length > limit ? s.slice(0, limit) + '…' : s;
  }

  /** HTML-escapes text for the few Node-RED APIs that take markup (RED.notify). */
  function escape(value, max) {
    return plain(value, max).replace(/[&<>"'`]/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  }

  /** RED.notify renders HTML: every message passes through here, escaped. */
  function notify(message, type) {
    // eslint-disable-next-line no-restricted-syntax -- the one call, with escaped text
    return RED.notify(escape(message), { type: type || 'warning', timeout: 6000 });
  }

  /** The error text of a failed admin request (ours answer `{error}`), or a fallback. */
  function serverError(xhr, fallback) {
    var body = xhr && xhr.responseJSON;
    if (body && typeof body.error === 'string' && body.error !== '') return plain(body.error);
    return plain(fallback);
  }

  // ---------------------------------------------------------------------------------------------
  // Defaults: one table per node type, from the runtime
  // ---------------------------------------------------------------------------------------------

  var generated = {};
  var specs = {};

  /**
   * Called by the build's generated script in each node's HTML with the runtime's defaults
   * (`editorDefaults` of the node's field table) and the table's rules (type, range, choices).
   */
  function registerFields(type, table, rules) {
    generated[type] = table;
    specs[type] = rules || {};
  }

  function copy(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  /** The runtime's rule for one field of a table, as an editor validator. */
  function fromSpec(spec) {
    var fromMsg = typeof spec.msg === 'string' && spec.msg !== '';
    return function (v, opt) {
      if (isEnv(v)) return true;
      var reason = null;
      var text = v === undefined || v === null ? '' : String(v).trim();
      if (spec.type === 'number') {
        if (text !== '') {
          var result = number({ min: spec.min, max: spec.max, integer: spec.integer })(v, opt || {});
          if (result !== true) reason = result;
        } else if (spec.required && !fromMsg && spec.default === undefined) reason = 'required';
      } else if (spec.type === 'string') {
        var max = spec.maxLength || 1000;
        if (text.length > max) reason = 'at most ' + max + ' characters';
        else if (text === '' && spec.required && !fromMsg) reason = 'required';
        else if (spec.choices && !(text === '' && fromMsg) && spec.choices.indexOf(text) < 0)
          reason = 'one of ' + spec.choices.join(', ');
      } else if (spec.type === 'json') {
        var json = jsonObject()(v, opt || {});
        if (json !== true) reason = json;
        else if (text.length > 100000) reason = 'at most 100000 characters';
      } else if (spec.type === 'boolean') {
        if (!(v === true || v === false || v === 'true' || v === 'false')) reason = 'true or false';
      }
      if (reason === null) return true;
      return opt ? reason : false;
    };
  }

  /**
   * The `defaults` of a node type: the runtime's table when the build injected one (else
   * `fallback`, the node's own HTML defaults), each field merged with its editor-only additions
   * (`validate`, `label`) from `editorOnly`. A field of the table without an editor-only validator
   * is checked by the table's own rule.
   */
  function defaults(type, editorOnly, fallback) {
    var base = generated[type];
    var rules = specs[type] || {};
    var out = {};
    var name;
    if (fallback) {
      for (name in fallback)
        if (Object.prototype.hasOwnProperty.call(fallback, name)) out[name] = $.extend({}, fallback[name]);
    }
    if (base) {
      for (name in base) {
        if (!Object.prototype.hasOwnProperty.call(base, name)) continue;
        out[name] = $.extend({}, out[name] || {}, base[name]);
        // The runtime table decides the value; the fallback's value must not linger.
        out[name].value = copy(base[name].value);
        if (rules[name] && !(editorOnly && editorOnly[name] && editorOnly[name].validate))
          out[name].validate = named(name, fromSpec(rules[name]));
        // A field that must be filled in (and no message can fill) is required in the editor too.
        if (rules[name] && rules[name].required && !rules[name].msg && rules[name].type !== 'boolean')
          out[name].required = true;
      }
    }
    if (editorOnly) {
      for (name in editorOnly) {
        if (!Object.prototype.hasOwnProperty.call(editorOnly, name)) continue;
        out[name] = $.extend({}, out[name] || { value: '' }, editorOnly[name]);
        if (typeof editorOnly[name].validate === 'function')
          out[name].validate = named(name, editorOnly[name].validate);
      }
    }
    return out;
  }

  /**
   * The runtime table's rule for `field` of `type` when the build provided one, else `fallback`:
   * editor-only validators (a field checked only while shown) use it for the check itself.
   */
  function rule(type, field, fallback) {
    return function (v, opt) {
      var spec = (specs[type] || {})[field];
      return (spec ? fromSpec(spec) : fallback).call(this, v, opt);
    };
  }

  /** The choices the runtime table allows for `field` of `type` ("from msg" left out). */
  function choices(type, field) {
    var spec = (specs[type] || {})[field];
    return ((spec && spec.choices) || []).filter(function (c) {
      return c !== '';
    });
  }

  /** Older property names a field was saved under (the runtime reads them when it is missing). */
  function legacyValue(type, node, field) {
    var spec = (specs[type] || {})[field];
    var names = (spec && spec.legacy) || [];
    for (var i = 0; i < names.length; i++) if (node[names[i]] !== undefined) return node[names[i]];
    return undefined;
  }

  /**
   * A validator whose reasons say which field they are about ("port: a whole number …"), and which
   * accepts a missing property.
   */
  function named(field, check) {
    return function (v, opt) {
      // A property missing from a saved flow means its default to the runtime: nothing to check.
      if (v === undefined) return true;
      var result = check.call(this, v, opt);
      return typeof result === 'string' ? field + ': ' + result : result;
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Dialogs that round-trip
  // ---------------------------------------------------------------------------------------------

  var opened = typeof WeakMap === 'function' ? new WeakMap() : null;
  // The last dialog built (tests wait for it: Node-RED builds a dialog after fetching credentials).
  var prepared = { id: null, count: 0 };

  function inputOf(def, field) {
    var prefix = def.category === 'config' ? 'node-config-input-' : 'node-input-';
    return $('#' + prefix + field);
  }

  function formValue(input) {
    if (input.attr('type') === 'checkbox') return input.prop('checked');
    return input.val();
  }

  function setForm(input, value) {
    if (input.attr('type') === 'checkbox') input.prop('checked', value === true || value === 'true');
    else if (input.data('noderedTypedInput') !== undefined) input.typedInput('value', value);
    else input.val(value === undefined || value === null ? '' : value);
  }

  /** Loose equality as Node-RED compares form values ("600" equals 600). */
  function same(a, b) {
    // eslint-disable-next-line eqeqeq
    if (a == b) return true;
    try {
      return JSON.stringify(a) === JSON.stringify(b);
    } catch (err) {
      return false;
    }
  }

  function missingFields(node, def) {
    var list = [];
    for (var field in def.defaults) {
      if (!Object.prototype.hasOwnProperty.call(def.defaults, field)) continue;
      if (field === 'inputs' || field === 'outputs') continue;
      if (node[field] === undefined && def.defaults[field].value !== undefined) list.push(field);
    }
    return list;
  }

  /**
   * Registers a node type with dialogs that never change a flow by themselves: a property missing
   * from a saved flow (an older version of the node) is shown with its default, which is what the
   * runtime does with a missing property; on Done it stays missing unless the user changed it.
   */
  function register(type, def) {
    var prepare = def.oneditprepare;
    var save = def.oneditsave;
    def.oneditprepare = function () {
      var node = this;
      var missing = missingFields(node, def);
      var shown = {};
      missing.forEach(function (field) {
        var input = inputOf(def, field);
        var legacy = legacyValue(type, node, field);
        shown[field] = legacy !== undefined ? legacy : copy(def.defaults[field].value);
        if (input.length) setForm(input, shown[field]);
      });
      if (opened) opened.set(node, { missing: missing, shown: shown });
      // Rows for fields this runtime does not know (yet) are not shown: they would do nothing.
      $('[data-recorders-field]').each(function () {
        var name = $(this).attr('data-recorders-field');
        if (!Object.prototype.hasOwnProperty.call(def.defaults, name)) $(this).hide();
      });
      try {
        return prepare ? prepare.apply(node, arguments) : undefined;
      } finally {
        prepared = { id: node.id, count: prepared.count + 1 };
      }
    };
    def.oneditsave = function () {
      var node = this;
      var result = save ? save.apply(node, arguments) : undefined;
      var state = (opened && opened.get(node)) || { missing: [], shown: {} };
      state.missing.forEach(function (field) {
        var input = inputOf(def, field);
        if (!input.length || node[field] !== undefined) return;
        if (same(formValue(input), state.shown[field])) {
          // Node-RED reads every field by its id after oneditsave: without one, the property is
          // left as it was (missing), which means the same value to the runtime.
          input.removeAttr('id');
        }
      });
      if (opened) opened.delete(node);
      return result;
    };
    RED.nodes.registerType(type, def);
  }

  /**
   * Rebuilds one row of an editable list (a schedule, a task) keeping the saved representation:
   * keys the user did not change keep their saved value and order, and keys that were missing stay
   * missing while they hold their default.
   */
  function keepRow(saved, edited, rowDefaults) {
    var original = saved || {};
    var out = {};
    var key;
    for (key in original) if (Object.prototype.hasOwnProperty.call(original, key)) out[key] = original[key];
    for (key in edited) {
      if (!Object.prototype.hasOwnProperty.call(edited, key)) continue;
      var value = edited[key];
      if (Object.prototype.hasOwnProperty.call(original, key)) {
        if (!sameText(original[key], value)) out[key] = value;
      } else if (!(
        rowDefaults &&
        Object.prototype.hasOwnProperty.call(rowDefaults, key) &&
        sameText(rowDefaults[key], value)
      )) {
        out[key] = value;
      }
    }
    return out;
  }

  /** Equal as the form shows them: `1` and `"1"`, an object and its JSON text, null and "". */
  function sameText(a, b) {
    function text(v) {
      if (v === undefined || v === null) return '';
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v).trim();
    }
    if (typeof a === 'boolean' || typeof b === 'boolean') return !!a === !!b;
    if (typeof a === 'string' && typeof b === 'object' && b !== null) return sameJson(a, b);
    if (typeof b === 'string' && typeof a === 'object' && a !== null) return sameJson(b, a);
    return text(a) === text(b);
  }

  function sameJson(textValue, object) {
    try {
      return JSON.stringify(JSON.parse(textValue)) === JSON.stringify(object);
    } catch (err) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Validators (Node-RED calls them with the node as `this`; two arguments = may return a reason)
  // ---------------------------------------------------------------------------------------------

  /** The value a field has now: the open dialog's input when there is one, else the node's. */
  function current(node, field) {
    var def = node && node._def;
    if (def) {
      var input = inputOf(def, field);
      if (input.length && isEditing(node)) return formValue(input);
    }
    return node ? node[field] : undefined;
  }

  function isEditing(node) {
    if (!RED.editor || typeof RED.editor.getEditStack !== 'function') return false;
    var stack = RED.editor.getEditStack();
    return stack.length > 0 && stack[stack.length - 1] === node;
  }

  function isEnv(v) {
    return typeof v === 'string' && /^\s*\$\{[^}]+\}\s*$/.test(v);
  }

  /** Only checks `check` when `applies(node)` says the field is used (shown) for this node. */
  function when(applies, check) {
    return function (v, opt) {
      if (!applies(this)) return true;
      return check.call(this, v, opt);
    };
  }

  function number(options) {
    var o = options || {};
    return function (v, opt) {
      if ((v === '' || v === undefined || v === null) && o.optional) return true;
      if (isEnv(v)) return true;
      var n = typeof v === 'number' ? v : Number(String(v).trim());
      var ok =
        String(v).trim() !== '' &&
        isFinite(n) &&
        (!o.integer || Math.floor(n) === n) &&
        (o.min === undefined || n >= o.min) &&
        (o.max === undefined || n <= o.max);
      if (ok || !opt) return ok;
      var range =
        o.min !== undefined && o.max !== undefined
          ? ' from ' + o.min + ' to ' + o.max
          : o.min !== undefined
            ? ' ≥ ' + o.min
            : o.max !== undefined
              ? ' ≤ ' + o.max
              : '';
      return (o.integer ? 'a whole number' : 'a number') + range;
    };
  }

  /** A host name or address: no scheme, no port, no path, no space. */
  function host() {
    return function (v, opt) {
      if (isEnv(v)) return true;
      var s = String(v === undefined || v === null ? '' : v).trim();
      var ok =
        /^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:]*:[0-9a-fA-F:.]+|[A-Za-z0-9]([A-Za-z0-9_.-]{0,252}[A-Za-z0-9])?)$/.test(
          s,
        );
      if (ok || !opt) return ok;
      if (/^[a-z]+:\/\//i.test(s)) return 'the host only, without http:// or https://';
      if (/\s/.test(s)) return 'a host name or address, without spaces';
      return 'a host name or IP address, e.g. 10.11.12.13';
    };
  }

  /** Empty, or a SHA-256 fingerprint: 32 hex bytes, with or without colons. */
  function fingerprint() {
    return function (v, opt) {
      if (isEnv(v)) return true;
      var s = String(v === undefined || v === null ? '' : v).trim();
      // As the runtime reads it: separators (colons, spaces) and case do not matter.
      var ok = s === '' || /^[0-9a-fA-F]{64}$/.test(s.replace(/[\s:]/g, ''));
      return ok || !opt ? ok : 'a SHA-256 fingerprint: 32 hex bytes such as C5:0C:…:10';
    };
  }

  /** PEM certificate text (one or more BEGIN/END CERTIFICATE blocks); `optional` allows empty. */
  function pem(options) {
    var o = options || {};
    return function (v, opt) {
      if (isEnv(v)) return true;
      var s = String(v === undefined || v === null ? '' : v).trim();
      if (s === '') return o.optional ? true : opt ? 'paste the CA certificate (PEM)' : false;
      var ok = /^(-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*)+$/.test(s);
      return ok || !opt ? ok : 'a PEM certificate: -----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----';
    };
  }

  /** http(s)://host[:port] with nothing after it (a broker URL), or ${ENV}. */
  function url() {
    return function (v, opt) {
      if (isEnv(v)) return true;
      var s = String(v === undefined || v === null ? '' : v).trim();
      var m =
        /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)(:(\d{1,5}))?\/?$/.exec(
          s,
        );
      var ok = !!m && (m[4] === undefined || (Number(m[4]) >= 1 && Number(m[4]) <= 65535));
      return ok || !opt ? ok : 'http://host[:port] or https://host[:port]';
    };
  }

  /** Empty, or JSON text of an object. */
  function jsonObject() {
    return function (v, opt) {
      var s = String(v === undefined || v === null ? '' : v).trim();
      if (s === '') return true;
      try {
        var parsed = JSON.parse(s);
        var ok = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
        return ok || !opt ? ok : 'a JSON object, e.g. {"duration": 60}';
      } catch (err) {
        return opt ? 'not valid JSON: ' + plain(err.message, 80) : false;
      }
    };
  }

  /** Empty (from msg), or one path part: no "/", no spaces or control characters, not "." or "..". */
  function segment() {
    return function (v, opt) {
      if (isEnv(v)) return true;
      var s = String(v === undefined || v === null ? '' : v).trim();
      if (s === '') return true;
      // eslint-disable-next-line no-control-regex
      var ok = s.length <= 200 && s !== '.' && s !== '..' && !/[/\s\u0000-\u001f\u007f]/.test(s);
      return ok || !opt ? ok : 'one name: no "/", no spaces, not "." or ".."';
    };
  }

  /**
   * Empty, or a playback offset as the remotive nodes read it: microseconds, a value with a unit
   * (62.5s, 1500ms, 2h), m:ss(.s) or h:mm:ss(.s). A bare fraction is ambiguous and refused.
   */
  function offset() {
    return function (v, opt) {
      if (isEnv(v)) return true;
      var s = String(v === undefined || v === null ? '' : v).trim();
      if (s === '') return true;
      var clock = /^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$/.exec(s);
      var ok =
        /^\d{1,16}$/.test(s) ||
        /^(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|sec|min|m|h)$/i.test(s) ||
        (!!clock && Number(clock[3]) < 60 && (clock[1] === undefined || Number(clock[2]) < 60));
      return ok || !opt ? ok : 'µs, or a time such as 1:02.5, 62.5s, 1500ms';
    };
  }

  /** Empty, or a file path on the broker: no control characters, no "." or ".." part, bounded. */
  function filePath() {
    return function (v, opt) {
      if (isEnv(v)) return true;
      var s = String(v === undefined || v === null ? '' : v).trim();
      if (s === '') return true;
      var parts = s.split('/');
      var ok =
        s.length <= 1024 &&
        // eslint-disable-next-line no-control-regex
        !/[\u0000-\u001f\u007f]/.test(s) &&
        parts.every(function (p) {
          return p !== '.' && p !== '..';
        });
      return ok || !opt ? ok : 'a path such as drive/city-loop.recordingsession.yaml (no "..")';
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Pick lists (camera search, signal search)
  // ---------------------------------------------------------------------------------------------

  /**
   * A selectable list under a field. `list` is a <select> element (or selector); `items` the
   * strings to offer (server text: shown with .text(), never as markup). `choose(value)` runs when
   * the user picks one. With `multiple`, `selected` is the list of already chosen values.
   */
  function picker(list, items, options) {
    var o = options || {};
    var select = $(list).empty();
    (o.extra || []).forEach(function (e) {
      $('<option>').val(plain(e.value, 1000)).text(plain(e.label, 200)).appendTo(select);
    });
    items.forEach(function (item) {
      var value = plain(item, 1000);
      $('<option>')
        .val(value)
        .text(plain(item, 200))
        .prop('selected', !!o.selected && o.selected.indexOf(value) >= 0)
        .appendTo(select);
    });
    if (!items.length && !(o.extra || []).length && o.empty) {
      $('<option>').val('').prop('disabled', true).text(plain(o.empty)).appendTo(select);
    }
    select.attr('size', Math.max(2, Math.min(8, select.children().length)));
    select.off('.recorders-picker').on('change.recorders-picker', function () {
      if (o.choose) o.choose(o.multiple ? select.val() || [] : select.val());
    });
    select.show();
    return select;
  }

  /** A status line under a picker: an error or a count, always as text. */
  function pickerMessage(element, message, isError) {
    $(element)
      .text(plain(message))
      .css('color', isError ? 'var(--red-ui-text-color-error, #c00)' : '')
      .show();
  }

  // ---------------------------------------------------------------------------------------------
  // Schedule previews (motif-schedule, recorder-schedule)
  // ---------------------------------------------------------------------------------------------

  /**
   * Asks `url` to describe an expression and writes the answer (server text) into `out`, as text.
   * A relative expression is shown relative to its start ("30 minutes after start — first: +0:30:00"),
   * never as wall-clock times: it fires relative to a start that has not happened yet.
   */
  function schedulePreview(url, query, out) {
    var target = $(out);
    if (!query.expression) {
      target.text('');
      return;
    }
    var relative = query.relative === true || query.relative === 'true';
    var request = $.extend({}, query, { relative: relative });
    $.getJSON(url, request)
      .done(function (answer) {
        if (!answer || !answer.ok) {
          target.css('color', 'var(--red-ui-text-color-error, #c00)').text(plain(answer && answer.error));
          return;
        }
        var next = (Array.isArray(answer.next) ? answer.next : []).slice(0, 5);
        var description = plain(answer.description, 500);
        var text;
        if (relative || answer.relative === true) {
          // The runtime answers offsets after the start (`afterStart`, or its own `summary`); an
          // older runtime answers wall-clock instants, which mean nothing before a start: words only.
          var offsets = Array.isArray(answer.afterStart)
            ? answer.afterStart.slice(0, 5).map(function (o) {
                return plain(o, 40);
              })
            : [];
          text =
            typeof answer.summary === 'string' && answer.summary !== ''
              ? plain(answer.summary, 700)
              : description + (offsets.length ? ' — first: ' + offsets.join(' · ') : '');
        } else {
          var when = next
            .map(function (iso) {
              return new Date(iso).toLocaleString(undefined, { hourCycle: 'h23' });
            })
            .join(' · ');
          text = description + ' — next: ' + (when || 'never');
        }
        target.css('color', '').text(text);
      })
      .fail(function () {
        target.text('');
      });
  }

  // ---------------------------------------------------------------------------------------------
  // Style: help code that wraps instead of running off the edge, pick lists
  // ---------------------------------------------------------------------------------------------

  $('<style id="recorders-editor-style">')
    .text(
      '.red-ui-help code { white-space: normal; overflow-wrap: anywhere; }' +
        '.red-ui-help dl.message-properties > dt { white-space: normal; }' +
        '.recorders-picker { width: 70%; margin: 4px 0 0 104px; display: block; }' +
        '.recorders-picker-message { margin-left: 104px; font-size: 0.85em; }',
    )
    .appendTo('head');

  window.RecordersEditor = {
    plain: plain,
    escape: escape,
    notify: notify,
    serverError: serverError,
    registerFields: registerFields,
    defaults: defaults,
    choices: choices,
    // Named like RED.nodes.registerType so the flow library's scanner (node-red-dev) reads each definition.
    registerType: register,
    prepared: function () {
      return { id: prepared.id, count: prepared.count };
    },
    keepRow: keepRow,
    sameText: sameText,
    current: current,
    valid: {
      when: when,
      rule: rule,
      number: number,
      host: host,
      fingerprint: fingerprint,
      pem: pem,
      url: url,
      jsonObject: jsonObject,
      segment: segment,
      offset: offset,
      filePath: filePath,
    },
    picker: picker,
    pickerMessage: pickerMessage,
    schedulePreview: schedulePreview,
  };
})();
