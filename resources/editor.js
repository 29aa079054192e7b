/*
 * The editor side shared by every node of node-red-contrib-recorders, loaded once by each node's
 * HTML (`resources/node-red-contrib-recorders/editor.js`). One job per section:
 *
 * - text that came from a server or a message reaches the DOM only as text (`escape`, `notify`,
 *   `serverError`, and lists that build options with `.text()`);
 * - the runtime's field table of each node type (`registerFields`, injected by the build) is the
 *   only source of its defaults, validators, option lists and of which fields apply when
 *   (`defaults`, `applies`);
 * - standard form rows rendered from the table (`fieldRow`): a node's template states only what is
 *   specific to it;
 * - the edit dialog never changes a flow by itself (`registerType`): a property that is missing in
 *   a saved flow is shown with the value the runtime gives it, and stays missing unless the user
 *   changes it; a saved value a list does not offer stays selectable;
 * - checks of formats a table does not express (`valid`), skipped for fields that do not apply:
 *   hosts, URLs, certificates, offsets, paths … are the runtime's own rules (src/common/formats.ts),
 *   which the build sends as resources/formats.js (`format`);
 * - the pick list used by the camera and signal searches (`picker`), and the schedule list with its
 *   preview shared by motif-schedule and recorder-schedule (`scheduleList`).
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
  // The field table: one per node type, from the runtime (injected by the build)
  // ---------------------------------------------------------------------------------------------

  var generated = {};
  var specs = {};
  var secrets = {};

  /**
   * Called by the build's generated script in each node's HTML with the runtime's defaults
   * (`editorDefaults` of the node's field table) and the table's rules (type, range, choices,
   * option groups, which fields an operation uses, lists to offer).
   */
  function registerFields(type, table, rules, credentials, migrations) {
    generated[type] = table;
    specs[type] = rules || {};
    secrets[type] = credentials || {};
    changes[type] = migrations || [];
  }

  var changes = {};

  /**
   * The runtime's format rule `name` (value → problem text or null): the rules the runtime checks
   * hosts, URLs, certificates, offsets and paths with, which the build writes from
   * src/common/formats.ts as resources/formats.js (window.RecordersFormats). Node-RED loads a
   * node's script files in any order but runs its inline scripts after all of them, so a rule is
   * looked up here, when a node registers, not when this module loads. Throws when it is missing.
   */
  function format(name) {
    var formats = window.RecordersFormats;
    var check = formats && has(formats, name) ? formats[name] : null;
    if (typeof check !== 'function') throw new Error('no format rule ' + name + ' (resources/formats.js)');
    return check;
  }

  /**
   * The node's saved values in today's shape where its configuration's migrations change them: the
   * runtime's steps (src/kit/migrations.ts), applied by shape to a copy. Null when nothing changes.
   */
  function migrated(type, node) {
    var view = $.extend({}, node);
    var out = {};
    var changed = false;
    (changes[type] || []).forEach(function (migration) {
      migration.steps.forEach(function (step) {
        var value;
        if (step.kind === 'rename') {
          if (view[step.from] === undefined || view[step.to] !== undefined) return;
          value = view[step.from];
          view[step.to] = out[step.to] = value;
          changed = true;
        } else if (step.kind === 'lines') {
          value = view[step.field];
          if (!Array.isArray(value)) return;
          view[step.field] = out[step.field] = value.map(String).join('\n');
          changed = true;
        } else if (step.kind === 'values') {
          value = view[step.field];
          if (typeof value !== 'string' || !has(step.map, value)) return;
          view[step.field] = out[step.field] = step.map[value];
          changed = true;
        }
      });
    });
    return changed ? out : null;
  }

  /** The version a type's configuration has today (its newest migration; 1 without any). */
  function currentVersion(type) {
    return (changes[type] || []).reduce(function (top, m) {
      return Math.max(top, m.version);
    }, 1);
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function copy(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  /** The runtime table's rule of one field (its type, limits, lists), or undefined. */
  function spec(type, field) {
    return (specs[type] || {})[field];
  }

  /** The runtime's rule for one field of a table, as an editor validator. */
  function fromSpec(rule) {
    var fromMsg = typeof rule.msg === 'string' && rule.msg !== '';
    return function (v, opt) {
      if (isEnv(v)) return true;
      var reason = null;
      var text = v === undefined || v === null ? '' : String(v).trim();
      if (rule.type === 'number') {
        if (text !== '') {
          var result = number({ min: rule.min, max: rule.max, integer: rule.integer })(v, opt || {});
          if (result !== true) reason = result;
        } else if (rule.required && !fromMsg && rule.default === undefined) reason = 'required';
      } else if (rule.type === 'string') {
        var max = rule.maxLength || 1000;
        if (text.length > max) reason = 'at most ' + max + ' characters';
        else if (text === '' && rule.required && !fromMsg) reason = 'required';
        else if (rule.choices && !(text === '' && fromMsg) && rule.choices.indexOf(text) < 0)
          reason = 'one of ' + rule.choices.join(', ');
      } else if (rule.type === 'json') {
        var json = jsonObject()(v, opt || {});
        if (json !== true) reason = json;
        else if (text.length > 100000) reason = 'at most 100000 characters';
      } else if (rule.type === 'boolean') {
        if (!(v === true || v === false || v === 'true' || v === 'false')) reason = 'true or false';
      }
      if (reason === null) return true;
      return opt ? reason : false;
    };
  }

  /** Both checks, the first failing one's reason. */
  function both(first, second) {
    return function (v, opt) {
      var result = first.call(this, v, opt);
      return result === true ? second.call(this, v, opt) : result;
    };
  }

  /**
   * When each field of `type` applies (is shown, and checked): from the table's `uses` (per
   * choice of an operation field, the fields it reads), and-ed with the node's own `shows`.
   * A choice the table does not list (from msg) may read any field.
   */
  function applies(type, own) {
    var rules = specs[type] || {};
    var out = {};
    var name;
    function derived(selector, governed) {
      var uses = rules[selector].uses;
      return function (node) {
        var list = uses[String(current(node, selector))];
        return !list || list.indexOf(governed) >= 0;
      };
    }
    for (name in rules) {
      if (!has(rules, name) || !rules[name].uses) continue;
      for (var choice in rules[name].uses) {
        if (!has(rules[name].uses, choice)) continue;
        rules[name].uses[choice].forEach(function (governed) {
          var before = out[governed];
          var test = derived(name, governed);
          out[governed] = before
            ? function (node) {
                return before(node) && test(node);
              }
            : test;
        });
      }
    }
    for (name in own || {}) {
      if (!has(own, name)) continue;
      var mine = own[name];
      var table = out[name];
      out[name] = table
        ? (function (a, b) {
            return function (node) {
              return a(node) && b(node);
            };
          })(table, mine)
        : mine;
    }
    return out;
  }

  /**
   * The `defaults` of a node type, all from the runtime's table: its values, `required` where
   * the runtime requires a value no message can fill, and as validator the table's rule (plus the
   * node's `checks` of formats a table does not express), checked only where `shows` says the field
   * applies. `extra` holds Node-RED properties that are not fields (`outputs`).
   */
  function defaults(type, checks, shows, extra) {
    var base = generated[type];
    if (!base)
      throw new Error(type + ': no field table (the build injects it from nodes/' + type + '/fields.ts)');
    var rules = specs[type] || {};
    var when = applies(type, shows);
    var out = {};
    var name;
    for (name in base) {
      if (!has(base, name)) continue;
      out[name] = $.extend({}, base[name]);
      out[name].value = copy(base[name].value);
      var check = rules[name] && rules[name].type !== 'list' ? fromSpec(rules[name]) : null;
      if (checks && checks[name]) check = check ? both(check, checks[name]) : checks[name];
      if (check && when[name]) check = whenShown(when[name], check);
      if (check) out[name].validate = named(name, check);
      // A field that must be filled in (and no message can fill) is required in the editor too.
      if (rules[name] && rules[name].required && !rules[name].msg && rules[name].type !== 'boolean')
        out[name].required = true;
    }
    for (name in extra || {}) if (has(extra, name)) out[name] = $.extend({}, extra[name]);
    return out;
  }

  /** Older property names a field was saved under (the runtime reads them when it is missing). */
  function legacyValue(type, node, field) {
    var rule = spec(type, field);
    var names = (rule && rule.legacy) || [];
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
  // Form rows from the table
  // ---------------------------------------------------------------------------------------------

  /** The text of catalog `key` of the node type, or undefined when the catalog has none. */
  function catalog(def, key) {
    if (typeof def._ !== 'function') return undefined;
    var text = def._(key);
    return typeof text === 'string' && text !== key ? text : undefined;
  }

  /** What an option of `field` is called: its catalog entry, else the value itself. */
  function optionLabel(def, type, field, rule, value) {
    if (value === '') {
      if (rule.msg) return catalog(def, type + '.fromMsg.' + field) || 'from msg.' + rule.msg;
      return catalog(def, type + '.blank.' + field) || '';
    }
    return catalog(def, type + '.' + field + '.' + value) || String(value);
  }

  function option(value, text) {
    return $('<option>').val(plain(value, 1000)).text(plain(text, 200));
  }

  /** A <select> of the table's choices (in its groups) or suggestions, "" first where it means something. */
  function choiceSelect(def, type, field, rule) {
    var select = $('<select>');
    var values = rule.choices || rule.suggestions || [];
    var blank = !!rule.msg || !!rule.suggestions || values.indexOf('') >= 0;
    if (blank) option('', optionLabel(def, type, field, rule, '')).appendTo(select);
    var grouped = {};
    Object.keys(rule.groups || {}).forEach(function (group) {
      var box = $('<optgroup>').attr('label', catalog(def, type + '.group.' + group) || group);
      rule.groups[group].forEach(function (value) {
        grouped[value] = true;
        option(value, optionLabel(def, type, field, rule, value)).appendTo(box);
      });
      box.appendTo(select);
    });
    values.forEach(function (value) {
      if (value !== '' && !grouped[value])
        option(value, optionLabel(def, type, field, rule, value)).appendTo(select);
    });
    return select;
  }

  /** The input of one field as `as` (or its type) says: text, select, checkbox, textarea, password. */
  function fieldInput(def, type, field, rule, as) {
    var kind = as || (rule && rule.type === 'boolean' ? 'checkbox' : '');
    if (!kind && rule && (rule.choices || rule.suggestions)) kind = 'choices';
    if (kind === 'checkbox') return $('<input type="checkbox">').css('width', 'auto');
    if (kind === 'password') return $('<input type="password">');
    if (kind === 'select') return $('<select>');
    // A JSON object typed in Node-RED's JSON input (made a typedInput when the dialog opens).
    if (kind === 'json') return $('<input type="text">').attr('data-typed', 'json').css('width', '70%');
    if (kind === 'choices') return choiceSelect(def, type, field, rule || {});
    if (kind === 'textarea')
      return $('<textarea rows="5">').css({ width: '70%', 'font-family': 'monospace' });
    if (kind === 'number') return $('<input type="number" min="0">').css('width', '90px');
    var input = $('<input type="text">');
    if (rule && rule.type === 'number') input.css('width', '70px');
    return input;
  }

  /**
   * One field's input (id `prefix` + field; a `data-input` row's own id) with the attributes its
   * placeholder element asks for (width, hint, unit, inline tip).
   */
  function fieldControl(def, type, prefix, holder, field) {
    var free = holder.attr('data-input');
    var secret = !free && has(secrets[type] || {}, field);
    var rule = free ? undefined : spec(type, field) || (secret ? { type: 'string' } : undefined);
    if (!holder.attr('data-as') && secret) holder.attr('data-as', 'password');
    var input = fieldInput(def, type, field, rule, holder.attr('data-as')).attr('id', free || prefix + field);
    if (holder.attr('data-width')) input.css('width', holder.attr('data-width'));
    if (holder.attr('data-rows')) input.attr('rows', holder.attr('data-rows'));
    if (holder.attr('data-placeholder')) input.attr('placeholder', holder.attr('data-placeholder'));
    if (holder.attr('data-i18n-placeholder'))
      input.attr('data-i18n', '[placeholder]' + holder.attr('data-i18n-placeholder'));
    var out = [input];
    if (holder.attr('data-suffix')) out.push(document.createTextNode(' ' + holder.attr('data-suffix')));
    if (holder.attr('data-tip') === 'inline')
      out.push(' ', $('<span>').attr('data-i18n', type + '.tip.' + field));
    return out;
  }

  /**
   * The standard row of one field: label (icon, catalog text `<type>.label.<field>`), its input as
   * the table's rule says (a list for choices, a checkbox for a flag…), unit, tip; the element's own
   * content (a search button, a pick list) follows the input, and `data-inline` children become
   * a further labelled input in the same row. A `data-input="id"` row is the same for an input that
   * is not a node property (a builder's), captioned by `data-caption` (a catalog key).
   */
  function fieldRow(def, type, prefix, holder) {
    var free = holder.attr('data-input');
    var field = free || holder.attr('data-row');
    var id = free || prefix + field;
    var row = $('<div class="form-row">');
    if (!free) row.addClass(type + '-row-' + field).attr('data-show', field);
    if (holder.attr('data-show')) row.attr('data-show', holder.attr('data-show'));
    if (holder.attr('class')) row.addClass(holder.attr('class'));
    var label = $('<label>').attr('for', id);
    if (holder.attr('data-icon')) label.append($('<i>').addClass('fa fa-' + holder.attr('data-icon')), ' ');
    var text = $('<span>').attr('data-i18n', holder.attr('data-caption') || type + '.label.' + field);
    var after = holder.attr('data-label') === 'after';
    if (after) label.text('\u00a0');
    else label.append(text);
    row.append(label).append(fieldControl(def, type, prefix, holder, field));
    if (after) row.append($('<label>').attr('for', id).css('width', 'auto').append(text));
    holder.contents().each(function () {
      var child = $(this);
      var inline = child.attr && child.attr('data-inline');
      if (!inline) return void row.append(child);
      row.append(' ', $('<span>').attr('data-i18n', type + '.label.' + inline), ' ');
      row.append(fieldControl(def, type, prefix, child, inline));
    });
    // A tip under the row: `data-tip` (the field's own, `<type>.tip.<field>`) or `data-tip="<key>"`.
    var tip = holder.attr('data-tip');
    if (tip !== undefined && tip !== 'inline')
      row.append($('<div class="form-tips">').attr('data-i18n', type + '.tip.' + (tip || field)));
    return row;
  }

  /** The node's template with each `<div data-row="field">` (or `data-input`) replaced by its standard row. */
  function expandTemplate(type, def) {
    var template = $('script[data-template-name="' + type + '"]');
    if (!template.length) throw new Error(type + ': no edit template');
    var prefix = def.category === 'config' ? 'node-config-input-' : 'node-input-';
    // The package's own template text (no scripts: parseHTML leaves them out).
    var box = $('<div>').append($.parseHTML(template.html()));
    box.find('[data-row], [data-input]').each(function () {
      $(this).replaceWith(fieldRow(def, type, prefix, $(this)));
    });
    template.text(box.html());
  }

  /** Shows each element marked `data-show` of the open dialog where its condition holds for `node`. */
  function showApplicable(node, when, form) {
    form.find('[data-show]').each(function () {
      var test = when[$(this).attr('data-show')];
      if (test) $(this).toggle(!!test(node));
    });
  }

  /**
   * Fills `select` with `extra` ({value, label}) and `list`, and selects `selected`. A saved value
   * the list does not offer stays selectable (and is kept by Done): the runtime decides about it
   * (a suggestion it only warns about, a choice it names in its error).
   */
  function options(select, list, selected, extra) {
    select.empty();
    (extra || []).forEach(function (e) {
      option(e.value, e.label).appendTo(select);
    });
    list.forEach(function (v) {
      option(String(v), plain(v, 60)).appendTo(select);
    });
    keepOption(select, selected);
    return select;
  }

  function keepOption(select, value) {
    if (value === undefined || value === null) return;
    var text = String(value);
    var found = select.find('option').filter(function () {
      return $(this).val() === text;
    });
    if (!found.length) option(text, text).appendTo(select);
    select.val(text);
  }

  /** The saved values of the node's lists stay selectable (see options). */
  function keepUnlisted(def, node) {
    for (var name in def.defaults) {
      if (!has(def.defaults, name)) continue;
      var select = inputOf(def, name);
      // A list the node fills itself (the runtime's operations, context stores) is its own business.
      if (select.is('select') && select.children().length) keepOption(select, node[name]);
    }
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
      if (!has(def.defaults, field)) continue;
      if (field === 'inputs' || field === 'outputs') continue;
      if (node[field] === undefined && def.defaults[field].value !== undefined) list.push(field);
    }
    return list;
  }

  /** The open dialog's form. */
  function formOf(def) {
    return $(def.category === 'config' ? '#node-config-dialog-edit-form' : '#dialog-form');
  }

  /**
   * Registers a node type driven by its runtime field table. `def` states only what is specific to
   * the node: `checks` (formats a table does not express, added to the table's rule), `shows`
   * (when a field or a `data-show` element applies, besides the table's `uses`: a field that does
   * not apply is hidden and not checked), and in `defaults` only Node-RED properties that are not
   * fields. Its template's `<div data-row="field">` elements become standard rows (fieldRow).
   *
   * Dialogs never change a flow by themselves: a property missing from a saved flow (an older
   * version of the node) is shown with its default, which is what the runtime does with a missing
   * property; on Done it stays missing unless the user changed it.
   */
  function register(type, def) {
    var when = applies(type, def.shows);
    def.defaults = defaults(type, def.checks, def.shows, def.defaults);
    // A node the user named shows its name in italics, as Node-RED's own nodes do.
    if (def.category !== 'config' && !def.labelStyle)
      def.labelStyle = function () {
        return this.name ? 'node_label_italic' : '';
      };
    // The table's credentials (stored by Node-RED only), with the node's checks of them.
    var credentials = $.extend(true, {}, secrets[type]);
    for (var name in def.credentials || {})
      if (has(def.credentials, name))
        credentials[name] = $.extend({}, credentials[name], def.credentials[name]);
    if (Object.keys(credentials).length) def.credentials = credentials;
    var prepare = def.oneditprepare;
    var save = def.oneditsave;
    def.oneditprepare = function () {
      var node = this;
      var form = formOf(def);
      keepUnlisted(def, node);
      form.find('input[data-typed="json"]').typedInput({ type: 'json', types: ['json'] });
      var missing = missingFields(node, def);
      var shown = {};
      missing.forEach(function (field) {
        var input = inputOf(def, field);
        var legacy = legacyValue(type, node, field);
        shown[field] = legacy !== undefined ? legacy : copy(def.defaults[field].value);
        if (input.length) setForm(input, shown[field]);
      });
      // An older configuration is shown in today's shape; Done saves it so, with its version.
      var moved = migrated(type, node);
      for (var changedField in moved || {}) {
        var changedInput = inputOf(def, changedField);
        if (changedInput.length) setForm(changedInput, moved[changedField]);
      }
      if (opened) opened.set(node, { missing: missing, shown: shown, migrated: !!moved });
      form.off('.recorders-show').on('change.recorders-show input.recorders-show', function () {
        showApplicable(node, when, form);
      });
      try {
        return prepare ? prepare.apply(node, arguments) : undefined;
      } finally {
        showApplicable(node, when, form);
        prepared = { id: node.id, count: prepared.count + 1 };
      }
    };
    def.oneditsave = function () {
      var node = this;
      var result = save ? save.apply(node, arguments) : undefined;
      var state = (opened && opened.get(node)) || { missing: [], shown: {} };
      if (state.migrated) node.configVersion = currentVersion(type);
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
    expandTemplate(type, def);
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

  /**
   * The value a field has now: the open dialog's input when there is one, else the node's; a
   * property missing from a saved flow is the table's default, as the runtime reads it.
   */
  function current(node, field) {
    var def = node && node._def;
    if (def) {
      var input = inputOf(def, field);
      if (input.length && isEditing(node)) return formValue(input);
    }
    var value = node ? node[field] : undefined;
    if (value === undefined && def && def.defaults && def.defaults[field]) return def.defaults[field].value;
    return value;
  }

  function isEditing(node) {
    if (!RED.editor || typeof RED.editor.getEditStack !== 'function') return false;
    var stack = RED.editor.getEditStack();
    return stack.length > 0 && stack[stack.length - 1] === node;
  }

  function isEnv(v) {
    return typeof v === 'string' && /^\s*\$\{[^}]+\}\s*$/.test(v);
  }

  /** Only checks `check` where `test(node)` says the field applies (is shown) for this node. */
  function whenShown(test, check) {
    return function (v, opt) {
      if (!test(this)) return true;
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

  /**
   * The runtime's format rule `name` (src/common/formats.ts, e.g. 'offsetProblem') as a field
   * check: the rule's text is the editor's reason, so the editor calls invalid exactly what the
   * runtime refuses. Left to the runtime: a `${ENV}` reference (Node-RED puts in the value before
   * the runtime reads it) and, with `optional`, an empty field (it means "from msg", "not set" or
   * a default the runtime knows). With `credential`: a stored secret the editor does not see
   * (Node-RED shows it as __PWRD__), and no `${ENV}` (Node-RED resolves none in credentials).
   * The value is trimmed first, as the runtime reads a text field.
   */
  function formatCheck(name, options) {
    var o = options || {};
    var check = format(name);
    return function (v, opt) {
      if (o.credential ? v === '__PWRD__' : isEnv(v)) return true;
      var value = typeof v === 'string' ? v.trim() : v;
      if (o.optional && (value === '' || value === undefined || value === null)) return true;
      var problem = check(value);
      if (problem === null) return true;
      return opt ? plain(problem, 200) : false;
    };
  }

  /** Shorthands for the fields that use a format, with what an empty field means there. */
  function optionalFormat(name) {
    return function () {
      return formatCheck(name, { optional: true });
    };
  }
  function requiredFormat(name) {
    return function () {
      return formatCheck(name);
    };
  }

  /**
   * A schedule list (tasks, schedules): every row has a unique name and an expression, and passes
   * `more(row, name, list)` (null, or what is wrong with it). `noun` names a row in the reasons.
   */
  function namedRows(noun, more) {
    return function (v, opt) {
      var list = Array.isArray(v) ? v : [];
      var seen = {};
      // Every row's name, once per check: `more` may look names up (anchors) without a scan per row.
      var names = {};
      for (var j = 0; j < list.length; j++) names[String((list[j] && list[j].name) || '').trim()] = true;
      for (var i = 0; i < list.length; i++) {
        var row = list[i] || {};
        var name = String(row.name || '').trim();
        var problem = !name
          ? noun + ' ' + (i + 1) + ' has no name'
          : seen[name]
            ? 'two ' + noun + 's are named "' + name + '"'
            : !String(row.expression || '').trim()
              ? noun + ' "' + name + '" has no expression'
              : more(row, name, names);
        if (problem) return opt ? problem : false;
        seen[name] = true;
      }
      return true;
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

  /**
   * A dialog's search button (`o.button`): asks the runtime (`o.url(id)`) about the config node
   * chosen in `o.config`, and hands the answer to `o.found`. What it says comes from the node's
   * catalog (`o.catalog` + `none`, `searching`, `deployFirst`; `o.none` names the first), in
   * `o.message`; `o.failed()` runs when the runtime could not answer.
   */
  function search(node, o) {
    $(o.button).on('click', function () {
      var id = $(o.config).val();
      if (!id || id === '_ADD_') return void pickerMessage(o.message, node._(o.catalog + o.none), true);
      pickerMessage(o.message, node._(o.catalog + 'searching'), false);
      $.getJSON(o.url(encodeURIComponent(id)))
        .done(o.found)
        .fail(function (xhr) {
          if (o.failed) o.failed();
          pickerMessage(o.message, serverError(xhr, node._(o.catalog + 'deployFirst')), true);
        });
    });
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

  /**
   * A captioned cell of a list row (schedules, session streams): the caption above its input, the
   * input labelled by it.
   */
  function cell(caption, input, width) {
    return $('<label>')
      .addClass('recorders-cell')
      .css({ width: width || 'auto', margin: 0, display: 'inline-flex', 'flex-direction': 'column' })
      .append($('<span>').addClass('recorders-cell-caption').text(plain(caption, 100)))
      .append(input.css('width', '100%'));
  }

  /**
   * The schedule list of motif-schedule (tasks) and recorder-schedule (schedules): an editable
   * list of rows, an example picker that fills the row last worked on, a debounced preview of each
   * row's expression, and a Done that writes back unchanged rows exactly as they were saved.
   *
   * `o`: `list` and `examples` (selectors), `items` ([expression, text, relative?]), `property`
   * (of the node), `rowClass`, `expression` and `relative` (selectors in a row), `watch` (inputs
   * that re-preview), `missing` (what the runtime reads for a key a saved row lacks), `fresh(index)`
   * (a new row's data), `build(container, node)` → row, `fill(row, data, index)`, `read(row, saved)` → the
   * row's values, `preview(row)`, `previewBox` (the row's preview element), `reserve` (px of the dialog that is not the list).
   */
  function scheduleList(o) {
    var lastRow = null;
    // Rows previewed when the dialog opens; later rows ask when their expression gets focus, so a
    // list of thousands of rows does not send thousands of requests at once.
    var PREVIEWS_AT_OPEN = 50;
    var opened = 0;
    function rows() {
      return $(o.list).editableList('items');
    }
    var node = null;
    function addItem(container, index, saved) {
      var isNew = !saved || Object.keys(saved).length === 0;
      var row = o.build(container, node);
      // The row remembers what was saved, so Done writes back unchanged values as they were.
      row.data('saved', isNew ? null : saved);
      o.fill(row, isNew ? o.fresh(index) : saved, index);
      var timer = null;
      var previewed = isNew || opened++ < PREVIEWS_AT_OPEN;
      row.find(o.watch).on('input change focus', function (event) {
        lastRow = row;
        if (event.type === 'focus') {
          if (previewed) return;
          previewed = true;
          o.preview(row);
          return;
        }
        clearTimeout(timer);
        timer = setTimeout(function () {
          o.preview(row);
        }, 300);
      });
      if (previewed) o.preview(row);
      else row.find(o.previewBox).text('(next firings when the expression is selected)');
    }
    function useExample(examples) {
      var value = examples.val();
      if (!value) return;
      var row =
        lastRow ||
        rows()
          .last()
          .find('.' + o.rowClass);
      if (!row || !row.length) return;
      row.find(o.expression).val(value).trigger('change');
      var relative = examples.find('option:selected').attr('data-relative');
      if (o.relative && relative !== undefined) row.find(o.relative).prop('checked', relative === 'true');
      examples.val('');
      o.preview(row);
    }
    return {
      prepare: function (edited) {
        node = edited;
        lastRow = null;
        opened = 0;
        var examples = $(o.examples);
        o.items.forEach(function (e) {
          var item = $('<option>')
            .val(e[0])
            .text(e[0] + '  —  ' + e[1]);
          if (e[2] !== undefined) item.attr('data-relative', e[2] ? 'true' : 'false');
          examples.append(item);
        });
        // A fixed height (resize) makes the list scroll instead of running over the form.
        var list = $(o.list).editableList({ addItem: addItem, removable: true, sortable: true });
        (node[o.property] || []).forEach(function (saved) {
          list.editableList('addItem', saved);
        });
        examples.on('change', function () {
          useExample(examples);
        });
      },
      save: function (node) {
        var out = [];
        rows().each(function () {
          var row = $(this).find('.' + o.rowClass);
          var saved = row.data('saved');
          var edited = o.read(row, saved);
          out.push(saved ? keepRow(saved, edited, o.missing) : edited);
        });
        // Saved without a list (an older flow) and still empty: it stays missing, which the runtime
        // reads as an empty list.
        if (!(node[o.property] === undefined && out.length === 0)) node[o.property] = out;
      },
      resize: function (size) {
        $(o.list).editableList('height', Math.max(150, size.height - o.reserve));
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Style: help code that wraps instead of running off the edge, pick lists
  // ---------------------------------------------------------------------------------------------

  $('<style id="recorders-editor-style">')
    .text(
      '.red-ui-help code { white-space: normal; overflow-wrap: anywhere; }' +
        '.red-ui-help dl.message-properties > dt { white-space: normal; }' +
        '.recorders-picker { width: 70%; margin: 4px 0 0 104px; display: block; }' +
        '.recorders-picker-message { margin-left: 104px; font-size: 0.85em; }' +
        '.recorders-cell-caption { font-size: 0.85em; }',
    )
    .appendTo('head');

  window.RecordersEditor = {
    plain: plain,
    escape: escape,
    notify: notify,
    serverError: serverError,
    registerFields: registerFields,
    format: format,
    defaults: defaults,
    spec: spec,
    // Named like RED.nodes.registerType so the flow library's scanner (node-red-dev) reads each definition.
    registerType: register,
    prepared: function () {
      return { id: prepared.id, count: prepared.count };
    },
    keepRow: keepRow,
    sameText: sameText,
    current: current,
    options: options,
    valid: {
      number: number,
      jsonObject: jsonObject,
      namedRows: namedRows,
      // The runtime's own format rules (src/common/formats.ts), each with what an empty field means.
      format: formatCheck,
      host: requiredFormat('hostProblem'),
      fingerprint: optionalFormat('fingerprintProblem'),
      pem: optionalFormat('pemProblem'),
      url: requiredFormat('brokerUrlProblem'),
      endpoint: requiredFormat('endpointProblem'),
      uuid: optionalFormat('uuidProblem'),
      segment: optionalFormat('segmentProblem'),
      offset: optionalFormat('offsetProblem'),
      filePath: optionalFormat('filePathProblem'),
      signalName: optionalFormat('signalNameProblem'),
      signalNames: requiredFormat('signalNamesProblem'),
    },
    picker: picker,
    pickerMessage: pickerMessage,
    search: search,
    schedulePreview: schedulePreview,
    scheduleList: scheduleList,
    cell: cell,
  };
})();
