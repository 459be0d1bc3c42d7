import { h, clear } from './dom.js';

// A form generated from a JSON Schema. Each control is named by the dotted path the server uses
// in its error answers ("upstream.nodes", "vars[0]", "plugins.key-auth.header"), so a 400's
// errors land next to the control they concern. Whatever the form cannot show (fields the schema
// does not name, or that depend on another field) is kept and offered as JSON, never dropped.

const SIMPLE = new Set(['string', 'integer', 'number', 'boolean']);

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function join(path, name) {
  return path === '' ? name : `${path}.${name}`;
}

function jsonType(value) {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeOf(schema) {
  if (!isPlainObject(schema)) return null;
  let type = schema.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    type = nonNull.length === 1 ? nonNull[0] : null;
  }
  if (!type && schema.properties) type = 'object';
  return type || null;
}

function fits(type, value) {
  const actual = jsonType(value);
  if (actual === 'undefined') return true;
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return type === actual;
}

// oneOf/anyOf next to a type or properties only constrain (e.g. "uri or uris is required"):
// the form follows the type. Alone, they are alternatives: show the one the value is, or for
// a new value the first the form can show; the others stay reachable through the raw editor.
function resolve(schema, value) {
  if (!isPlainObject(schema)) return schema;
  const alternatives = schema.oneOf || schema.anyOf;
  if (!alternatives || schema.type || schema.properties) return schema;
  const { oneOf, anyOf, ...base } = schema;
  const typed = alternatives.filter((a) => typeOf(a) || a.enum);
  let chosen;
  if (value === undefined) {
    chosen = typed.find((a) => kindOf(a, undefined) !== 'json') || typed[0];
  } else {
    chosen = typed.find((a) => (a.enum ? a.enum.some((e) => e === value) : fits(typeOf(a), value)));
  }
  if (!chosen) return { ...base, 'x-unrepresentable': true };
  return { ...chosen, ...base, description: base.description ?? chosen.description };
}

function kindOf(schema, value) {
  if (!isPlainObject(schema) || schema['x-unrepresentable'] || schema.$ref) return 'json';
  if (Array.isArray(schema.enum) && schema.enum.every((e) => e === null || typeof e !== 'object')) {
    return 'enum';
  }
  const type = typeOf(schema);
  if (!type || !fits(type, value)) return 'json';
  if (SIMPLE.has(type)) return type;
  if (type === 'object') {
    if (schema.properties) return 'object';
    const extra = schema.additionalProperties ?? firstPattern(schema);
    if (isPlainObject(extra) && (SIMPLE.has(typeOf(extra)) || extra.enum)) return 'map';
    return 'json';
  }
  if (type === 'array') {
    const items = resolve(schema.items, undefined);
    if (isPlainObject(items) && Array.isArray(items.enum) && items.enum.every((e) => typeof e === 'string')) {
      return Array.isArray(value) && value.some((v) => !items.enum.includes(v)) ? 'json' : 'set';
    }
    if (isPlainObject(items) && ['string', 'integer', 'number'].includes(typeOf(items))) {
      return Array.isArray(value) && value.some((v) => !fits(typeOf(items), v)) ? 'json' : 'list';
    }
    return 'json';
  }
  return 'json';
}

function firstPattern(schema) {
  const patterns = schema.patternProperties && Object.values(schema.patternProperties);
  return patterns && patterns.length === 1 ? patterns[0] : undefined;
}

// Numbers are typed as text: a number input silently turns "12x" into "", and then the field
// would vanish from the request instead of the server saying what is wrong with it.
function parseNumber(text) {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

function requiredMark(required) {
  return required ? h('span', { class: 'required', title: 'required' }, h('span', { 'aria-hidden': 'true' }, ' *'), h('span', { class: 'visually-hidden' }, ' (required)')) : null;
}

function hintFor(path, text) {
  return text ? h('p', { class: 'hint', id: `hint-${path}` }, text) : null;
}

function describedBy(path, ...texts) {
  return texts.some(Boolean) ? `hint-${path}` : null;
}

function defaultText(schema) {
  return schema.default === undefined ? null : `default: ${JSON.stringify(schema.default)}`;
}

function wrapField(path, label, required, control, hintText, extraClass = '') {
  return h('div', { class: `field ${extraClass}`.trim(), 'data-path': path },
    h('label', { for: `field-${path}` }, h('code', null, label), requiredMark(required)),
    control,
    hintFor(path, hintText),
    h('div', { class: 'field-errors' }));
}

function joinHints(...parts) {
  const text = parts.filter(Boolean).join(' · ');
  return text || null;
}

function buildString(schema, path, value, meta) {
  const long = schema.format === 'textarea' || (typeof value === 'string' && value.includes('\n')) || (schema.minLength ?? 0) >= 128;
  const hint = joinHints(schema.description, defaultText(schema), meta.hint);
  const attrs = {
    id: `field-${path}`, name: path, 'aria-required': meta.required ? 'true' : null,
    'aria-describedby': describedBy(path, hint), readonly: meta.readonly, spellcheck: 'false', autocomplete: 'off',
    placeholder: schema.default !== undefined ? String(schema.default) : null,
  };
  const control = long
    ? h('textarea', { ...attrs, rows: 6, class: 'mono', value: value ?? '' })
    : h('input', { ...attrs, type: 'text', value: value ?? '' });
  return {
    el: wrapField(path, meta.label, meta.required, control, hint),
    get: () => (control.value === '' ? undefined : control.value),
  };
}

function buildNumber(schema, path, value, meta) {
  const bounds = [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : null,
    schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : null,
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : null,
    schema.exclusiveMaximum !== undefined ? `< ${schema.exclusiveMaximum}` : null,
  ].filter(Boolean).join(', ');
  const hint = joinHints(schema.description, bounds && `${typeOf(schema) === 'integer' ? 'integer' : 'number'} ${bounds}`, defaultText(schema));
  const control = h('input', {
    id: `field-${path}`, name: path, type: 'text', inputmode: typeOf(schema) === 'integer' ? 'numeric' : 'decimal',
    'aria-required': meta.required ? 'true' : null, 'aria-describedby': describedBy(path, hint), autocomplete: 'off',
    placeholder: schema.default !== undefined ? String(schema.default) : null,
    value: value === undefined ? '' : String(value),
  });
  return { el: wrapField(path, meta.label, meta.required, control, hint, 'field-short'), get: () => parseNumber(control.value) };
}

// A select, not a checkbox: a checkbox cannot say "not set", and an absent boolean (the
// plugin's default applies) is not the same configuration as an explicit false.
function buildBoolean(schema, path, value, meta) {
  const hint = joinHints(schema.description);
  const unset = schema.default === undefined ? '— not set —' : `— not set (default ${schema.default}) —`;
  const control = h('select', { id: `field-${path}`, name: path, 'aria-required': meta.required ? 'true' : null, 'aria-describedby': describedBy(path, hint) },
    h('option', { value: '' }, unset),
    h('option', { value: 'true', selected: value === true }, 'true'),
    h('option', { value: 'false', selected: value === false }, 'false'));
  return {
    el: wrapField(path, meta.label, meta.required, control, hint, 'field-short'),
    get: () => (control.value === '' ? undefined : control.value === 'true'),
  };
}

function buildEnum(schema, path, value, meta) {
  const options = [...schema.enum];
  // A stored value the schema no longer lists stays selectable rather than being lost.
  if (value !== undefined && !options.includes(value)) options.push(value);
  const hint = joinHints(schema.description, defaultText(schema));
  const control = h('select', { id: `field-${path}`, name: path, 'aria-required': meta.required ? 'true' : null, 'aria-describedby': describedBy(path, hint) },
    h('option', { value: '' }, schema.default === undefined ? '— not set —' : `— not set (default ${schema.default}) —`),
    options.map((option) => h('option', { value: JSON.stringify(option), selected: option === value }, String(option))));
  return {
    el: wrapField(path, meta.label, meta.required, control, hint, 'field-short'),
    get: () => (control.value === '' ? undefined : JSON.parse(control.value)),
  };
}

function buildJson(schema, path, value, meta, ctx) {
  const text = value === undefined ? '' : JSON.stringify(value, null, 2);
  const lines = text.split('\n').length;
  const hint = joinHints(schema?.description, 'JSON', meta.hint);
  const control = h('textarea', {
    id: `field-${path}`, name: path, class: 'mono', rows: Math.min(16, Math.max(3, lines)), spellcheck: 'false',
    'aria-required': meta.required ? 'true' : null, 'aria-describedby': describedBy(path, hint), value: text,
  });
  return {
    el: wrapField(path, meta.label, meta.required, control, hint),
    get: () => {
      if (control.value.trim() === '') return undefined;
      try {
        return JSON.parse(control.value);
      } catch (error) {
        ctx.errors.push({ field: path, message: `not valid JSON: ${error.message}` });
        return undefined;
      }
    },
  };
}

// Rows of inputs for an array of strings or numbers: one value per row, Add and Remove.
function buildList(schema, path, value, meta) {
  const items = resolve(schema.items, undefined);
  const numeric = typeOf(items) !== 'string';
  const rows = h('div', { class: 'rows' });
  const hint = joinHints(schema.description, 'One value per row; "Add" adds a row, "Remove" removes one. Empty rows are ignored.');
  const group = h('fieldset', { class: 'field list', 'data-path': path, 'aria-describedby': `hint-${path}` },
    h('legend', null, h('code', null, meta.label), requiredMark(meta.required)),
    rows,
    h('button', { type: 'button', class: 'small', onclick: () => { const input = addRow(''); input.focus(); } }, 'Add'),
    hintFor(path, hint),
    h('div', { class: 'field-errors' }));
  const inputs = [];

  function renumber() {
    [...rows.children].forEach((row, i) => {
      const itemPath = `${path}[${i}]`;
      row.dataset.path = itemPath;
      row.querySelector('label').htmlFor = `field-${itemPath}`;
      row.querySelector('label').textContent = `${meta.label} item ${i + 1}`;
      const input = row.querySelector('input');
      input.id = `field-${itemPath}`;
      input.name = itemPath;
      row.querySelector('button').setAttribute('aria-label', `Remove ${meta.label} item ${i + 1}`);
    });
  }

  function addRow(text) {
    const input = h('input', { type: 'text', value: text, autocomplete: 'off', spellcheck: 'false', inputmode: numeric ? 'decimal' : null });
    const row = h('div', { class: 'row' },
      h('label', { class: 'visually-hidden' }),
      input,
      h('button', {
        type: 'button', class: 'small secondary',
        onclick: () => { inputs.splice(inputs.indexOf(input), 1); row.remove(); renumber(); },
      }, 'Remove'),
      h('div', { class: 'field-errors' }));
    inputs.push(input);
    rows.append(row);
    renumber();
    return input;
  }

  (Array.isArray(value) ? value : []).forEach((v) => addRow(String(v)));
  if (inputs.length === 0) addRow('');
  return {
    el: group,
    get: () => {
      const values = inputs.map((i) => i.value).filter((v) => v.trim() !== '').map((v) => (numeric ? parseNumber(v) : v));
      if (values.length === 0) return Array.isArray(value) && value.length === 0 ? [] : undefined;
      return values;
    },
  };
}

// Checkboxes for an array whose items are a fixed set of strings (a route's methods).
function buildSet(schema, path, value, meta) {
  const items = resolve(schema.items, undefined);
  const chosen = new Set(Array.isArray(value) ? value : []);
  const boxes = items.enum.map((option) => h('input', { type: 'checkbox', id: `field-${path}-${option}`, name: path, value: option, checked: chosen.has(option) }));
  const hint = joinHints(schema.description, 'None checked: not set.');
  const group = h('fieldset', { class: 'field set', 'data-path': path, 'aria-describedby': `hint-${path}` },
    h('legend', null, h('code', null, meta.label), requiredMark(meta.required)),
    h('div', { class: 'checks' }, boxes.map((box) => h('span', { class: 'check' }, box, h('label', { for: box.id }, box.value)))),
    hintFor(path, hint),
    h('div', { class: 'field-errors' }));
  return {
    el: group,
    get: () => {
      const values = boxes.filter((b) => b.checked).map((b) => b.value);
      if (values.length === 0) return Array.isArray(value) && value.length === 0 ? [] : undefined;
      return values;
    },
  };
}

// Key/value rows for an object whose keys are data, like an upstream's nodes ("host:port" ->
// weight). Rows are named <path>[i].key / <path>[i].value; an error the server reports at
// <path>.<key> is put on the row holding that key.
function buildMap(schema, path, value, meta, ctx) {
  const valueSchema = resolve(schema.additionalProperties ?? firstPattern(schema), undefined);
  const valueKind = kindOf(valueSchema, undefined);
  const isNodes = /(^|\.)nodes$/.test(path);
  const keyLabel = isNodes ? 'host:port' : 'key';
  const valueLabel = isNodes ? 'weight' : 'value';
  const rows = h('div', { class: 'rows kv', 'data-map': path });
  const entries = [];
  const hint = joinHints(schema.description, `One ${keyLabel} → ${valueLabel} per row; "Add" adds a row. Rows with an empty ${keyLabel} are ignored.`);
  const group = h('fieldset', { class: 'field map', 'data-path': path, 'aria-describedby': `hint-${path}` },
    h('legend', null, h('code', null, meta.label), requiredMark(meta.required)),
    h('div', { class: 'kv-head', 'aria-hidden': 'true' }, h('span', null, keyLabel), h('span', null, valueLabel)),
    rows,
    h('button', { type: 'button', class: 'small', onclick: () => addRow('', undefined).key.focus() }, 'Add'),
    hintFor(path, hint),
    h('div', { class: 'field-errors' }));

  function valueControl(v) {
    if (valueKind === 'boolean') {
      return h('select', null, h('option', { value: '' }, '—'),
        h('option', { value: 'true', selected: v === true }, 'true'), h('option', { value: 'false', selected: v === false }, 'false'));
    }
    if (valueKind === 'enum') {
      return h('select', null, h('option', { value: '' }, '—'),
        valueSchema.enum.map((o) => h('option', { value: JSON.stringify(o), selected: o === v }, String(o))));
    }
    const numeric = valueKind === 'integer' || valueKind === 'number';
    return h('input', {
      type: 'text', autocomplete: 'off', spellcheck: 'false', inputmode: numeric ? 'numeric' : null,
      placeholder: valueSchema?.default !== undefined ? String(valueSchema.default) : (isNodes ? '1' : null),
      value: v === undefined ? '' : (typeof v === 'string' ? v : JSON.stringify(v)),
    });
  }

  function readValue(control) {
    const text = control.value;
    if (text === '') return undefined;
    if (valueKind === 'boolean') return text === 'true';
    if (valueKind === 'enum') return JSON.parse(text);
    if (valueKind === 'integer' || valueKind === 'number') return parseNumber(text);
    return text;
  }

  function renumber() {
    entries.forEach((entry, i) => {
      const rowPath = `${path}[${i}]`;
      entry.row.dataset.path = rowPath;
      entry.key.id = `field-${rowPath}.key`;
      entry.key.name = `${rowPath}.key`;
      entry.val.id = `field-${rowPath}.value`;
      entry.val.name = `${rowPath}.value`;
      entry.keyLabel.htmlFor = entry.key.id;
      entry.keyLabel.textContent = `${meta.label} row ${i + 1} ${keyLabel}`;
      entry.valLabel.htmlFor = entry.val.id;
      entry.valLabel.textContent = `${meta.label} row ${i + 1} ${valueLabel}`;
      entry.remove.setAttribute('aria-label', `Remove ${meta.label} row ${i + 1}`);
    });
  }

  function addRow(k, v) {
    const entry = {
      key: h('input', { type: 'text', value: k, autocomplete: 'off', spellcheck: 'false', placeholder: isNodes ? '127.0.0.1:8080' : null }),
      val: valueControl(v),
      keyLabel: h('label', { class: 'visually-hidden' }),
      valLabel: h('label', { class: 'visually-hidden' }),
    };
    entry.remove = h('button', {
      type: 'button', class: 'small secondary',
      onclick: () => { entries.splice(entries.indexOf(entry), 1); entry.row.remove(); renumber(); },
    }, 'Remove');
    entry.row = h('div', { class: 'row kv-row' }, entry.keyLabel, entry.key, entry.valLabel, entry.val, entry.remove, h('div', { class: 'field-errors' }));
    entries.push(entry);
    rows.append(entry.row);
    renumber();
    return entry;
  }

  Object.entries(isPlainObject(value) ? value : {}).forEach(([k, v]) => addRow(k, v));
  if (entries.length === 0) addRow('', undefined);
  return {
    el: group,
    get: () => {
      const out = {};
      entries.forEach((entry, i) => {
        const k = entry.key.value.trim();
        const v = readValue(entry.val);
        if (k === '') {
          if (v !== undefined) ctx.errors.push({ field: `${path}[${i}].key`, message: `the ${keyLabel} is missing` });
          return;
        }
        if (Object.prototype.hasOwnProperty.call(out, k)) {
          ctx.errors.push({ field: `${path}[${i}].key`, message: `${k} is given twice` });
          return;
        }
        out[k] = v === undefined && isNodes ? 1 : v;
        if (out[k] === undefined) ctx.errors.push({ field: `${path}[${i}].value`, message: `the ${valueLabel} is missing` });
      });
      if (Object.keys(out).length === 0) return isPlainObject(value) && Object.keys(value).length === 0 ? {} : undefined;
      return out;
    },
  };
}

function orderOf(schema) {
  const names = Object.keys(schema.properties || {});
  const preferred = Array.isArray(schema['x-ui-order']) ? schema['x-ui-order'].filter((n) => names.includes(n)) : [];
  return [...preferred, ...names.filter((n) => !preferred.includes(n))];
}

// Fields that exist only under a condition (if/then, alternatives with their own properties).
// Alternatives that only list what is required ("uri or uris") add no field.
function isConditional(schema) {
  if (schema.if || schema.then || schema.else || schema.dependencies || schema.dependentSchemas) return true;
  return [schema.allOf, schema.oneOf, schema.anyOf].some((alternatives) => Array.isArray(alternatives)
    && alternatives.some((a) => isPlainObject(a) && (a.properties || a.if || a.oneOf || a.anyOf || a.allOf)));
}

// An object: its properties as fields (nested objects fold into a <details> until opened), plus
// "other fields" as JSON for keys the schema does not list and fields that only exist under a
// condition (if/then, oneOf).
function buildObject(schema, path, value, meta, ctx) {
  const props = schema.properties || {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const current = isPlainObject(value) ? value : {};
  const children = [];
  const fields = [];
  const handled = new Set();

  if (meta.root && ctx.options.keyField) {
    const key = ctx.options.keyField;
    handled.add(key);
    const node = buildKey(key, props[key], current[key], ctx);
    children.push({ name: key, node });
    fields.push(node.el);
  }
  for (const name of orderOf(schema)) {
    if (handled.has(name)) continue;
    handled.add(name);
    const childPath = join(path, name);
    const childMeta = { label: name, required: required.has(name) };
    const node = meta.root && name === 'plugins' && ctx.options.plugins
      ? buildPlugins(props[name], childPath, current[name], childMeta, ctx)
      : build(props[name], childPath, current[name], childMeta, ctx);
    children.push({ name, node });
    fields.push(node.el);
  }

  const extraKeys = Object.keys(current).filter((k) => !handled.has(k));
  let extras = null;
  if (extraKeys.length || (isConditional(schema) && schema.additionalProperties !== false)) {
    const extraValue = Object.fromEntries(extraKeys.map((k) => [k, current[k]]));
    extras = buildJson(null, join(path, '*'), extraKeys.length ? extraValue : undefined,
      { label: 'other fields', hint: 'a JSON object of fields this form does not show (some appear only when another field has a given value); merged into the result' }, ctx);
    fields.push(extras.el);
  }

  let el;
  if (meta.root || meta.flat) {
    el = h('div', { class: 'object', 'data-path': path }, h('div', { class: 'field-errors' }), fields);
    if (fields.length === 0) el.append(h('p', { class: 'muted' }, 'No settings.'));
  } else {
    el = h('details', { class: 'field object', 'data-path': path, open: value !== undefined || meta.required },
      h('summary', null, h('code', null, meta.label), requiredMark(meta.required),
        schema.description ? h('span', { class: 'summary-hint' }, ` — ${schema.description}`) : null),
      h('div', { class: 'field-errors' }),
      h('div', { class: 'object-fields' }, fields));
  }
  return {
    el,
    get: () => {
      const out = {};
      for (const { name, node } of children) {
        const v = node.get();
        if (v !== undefined) out[name] = v;
      }
      if (extras) {
        const more = extras.get();
        if (more !== undefined) {
          if (!isPlainObject(more)) ctx.errors.push({ field: join(path, '*'), message: 'must be a JSON object' });
          else Object.assign(out, more);
        }
      }
      if (Object.keys(out).length === 0 && !meta.root && !meta.keepEmpty) return undefined;
      return out;
    },
  };
}

// The resource's key: editable (and pre-filled when the type has an id) for a new resource,
// read-only once stored, since the id names the resource in the URL it is saved to.
function buildKey(name, schema, value, ctx) {
  const { isNew } = ctx.options;
  const initial = value !== undefined ? String(value) : (ctx.options.newKey ?? '');
  const hint = isNew ? (name === 'id' ? 'generated; change it if you like' : 'names the consumer') : 'fixed once created';
  const control = h('input', {
    id: `field-${name}`, name, type: 'text', value: initial, readonly: !isNew, 'aria-required': 'true',
    'aria-describedby': `hint-${name}`, autocomplete: 'off', spellcheck: 'false',
  });
  ctx.keyControl = control;
  return {
    el: wrapField(name, name, true, control, joinHints(schema?.description, hint), 'field-short'),
    get: () => (control.value.trim() === '' ? undefined : control.value.trim()),
  };
}

// The plugins of a resource: one section per plugin with the form from its schema (or its
// config as JSON), a picker of the loaded plugins to add one, and Remove.
function buildPlugins(schema, path, value, meta, ctx) {
  const loaded = ctx.options.plugins || {};
  const current = isPlainObject(value) ? value : {};
  const list = h('div', { class: 'plugin-list' });
  const entries = new Map();
  const picker = h('select', { id: 'plugin-add' });
  const addButton = h('button', { type: 'button', class: 'small', id: 'plugin-add-button' }, 'Add plugin');
  const empty = h('p', { class: 'muted' }, 'No plugins.');

  function schemaFor(name) {
    const info = loaded[name];
    if (!info) return null;
    return ctx.options.consumer ? (info.consumer_schema || info.schema) : info.schema;
  }

  function refreshPicker() {
    clear(picker);
    const names = Object.keys(loaded).filter((n) => !entries.has(n)).sort();
    names.forEach((n) => picker.append(h('option', { value: n }, `${n}${loaded[n].version ? ` ${loaded[n].version}` : ''}`)));
    picker.disabled = names.length === 0;
    addButton.disabled = names.length === 0;
    empty.hidden = entries.size > 0;
  }

  function addPlugin(name, config, focus) {
    const pluginPath = join(path, name);
    const pluginSchema = schemaFor(name);
    const body = h('div', { class: 'plugin-body' });
    const info = loaded[name];
    const entry = { name, node: null, asJson: false };
    const toggle = h('button', { type: 'button', class: 'small secondary' });
    const section = h('section', { class: 'plugin', 'data-plugin': name, 'aria-label': `plugin ${name}` },
      h('div', { class: 'plugin-head' },
        h('h3', null, name),
        info ? h('span', { class: 'muted' }, [info.version && `v${info.version}`, info.priority !== undefined && `priority ${info.priority}`, info.phases && info.phases.join(', ')].filter(Boolean).join(' · '))
          : h('span', { class: 'badge badge-bad' }, 'not loaded'),
        h('span', { class: 'spacer' }),
        pluginSchema ? toggle : null,
        h('button', {
          type: 'button', class: 'small secondary', 'aria-label': `Remove plugin ${name}`,
          onclick: () => { entries.delete(name); section.remove(); refreshPicker(); picker.focus(); },
        }, 'Remove')),
      body);

    function render(v) {
      clear(body);
      const representable = pluginSchema && kindOf(pluginSchema, v ?? {}) === 'object';
      if (!entry.asJson && representable) {
        entry.node = buildObject(pluginSchema, pluginPath, v ?? {}, { flat: true, keepEmpty: true }, ctx);
        toggle.textContent = 'Edit as JSON';
      } else {
        entry.asJson = true;
        entry.node = buildJson(pluginSchema, pluginPath, v ?? {}, { label: `${name} configuration` }, ctx);
        toggle.textContent = 'Edit as form';
        toggle.hidden = !representable;
      }
      // The wrapper carries the plugin's path so errors about the whole plugin land here.
      entry.node.el.dataset.path = pluginPath;
      body.append(entry.node.el);
    }

    toggle.addEventListener('click', () => {
      const errorsBefore = ctx.errors.length;
      const v = entry.node.get();
      if (ctx.errors.length > errorsBefore) {
        const problem = ctx.errors.splice(errorsBefore);
        placeErrors(section, problem, null);
        return;
      }
      entry.asJson = !entry.asJson;
      render(v ?? {});
      body.querySelector('input, select, textarea')?.focus();
    });

    render(config);
    entries.set(name, entry);
    list.append(section);
    refreshPicker();
    if (focus) (section.querySelector('input, select, textarea') || toggle).focus();
  }

  addButton.addEventListener('click', () => {
    if (picker.value) addPlugin(picker.value, {}, true);
  });
  Object.entries(current).forEach(([name, config]) => addPlugin(name, config, false));
  refreshPicker();

  const hint = ctx.options.consumer
    ? 'Credentials show as ****** and are kept as stored unless you type a new value.'
    : 'Pick a loaded plugin and press "Add plugin"; each plugin has its form, or "Edit as JSON".';
  const el = h('fieldset', { class: 'field plugins', 'data-path': path },
    h('legend', null, h('code', null, meta.label), requiredMark(meta.required)),
    h('div', { class: 'field-errors' }),
    empty,
    list,
    h('div', { class: 'plugin-add' },
      h('label', { for: 'plugin-add' }, 'Add a plugin'), picker, addButton),
    h('p', { class: 'hint' }, hint));
  return {
    el,
    get: () => {
      const out = {};
      for (const [name, entry] of entries) out[name] = entry.node.get() ?? {};
      if (Object.keys(out).length === 0) return value === undefined ? undefined : {};
      return out;
    },
  };
}

function build(rawSchema, path, value, meta, ctx) {
  const schema = resolve(rawSchema ?? {}, value);
  switch (kindOf(schema, value)) {
    case 'string': return buildString(schema, path, value, meta);
    case 'integer':
    case 'number': return buildNumber(schema, path, value, meta);
    case 'boolean': return buildBoolean(schema, path, value, meta);
    case 'enum': return buildEnum(schema, path, value, meta);
    case 'object': return buildObject(schema, path, value, meta, ctx);
    case 'map': return buildMap(schema, path, value, meta, ctx);
    case 'list': return buildList(schema, path, value, meta);
    case 'set': return buildSet(schema, path, value, meta);
    default: return buildJson(schema, path, value, meta, ctx);
  }
}

// options: { keyField: 'id'|'username'|null, isNew, newKey, plugins: {name: {schema, consumer_schema,...}}, consumer }
export function createForm(schema, value, options = {}) {
  const ctx = { options, errors: [], keyControl: null };
  const root = buildObject(schema || {}, '', value || {}, { root: true }, ctx);
  return {
    element: root.el,
    read() {
      ctx.errors = [];
      const result = root.get();
      return { value: result, errors: ctx.errors.slice() };
    },
    keyValue() {
      return ctx.keyControl ? ctx.keyControl.value.trim() : null;
    },
    lockKey() {
      if (ctx.keyControl) ctx.keyControl.readOnly = true;
    },
  };
}

function segmentsUp(field) {
  // "plugins.key-auth.header" -> "plugins.key-auth" -> "plugins"; "vars[0]" -> "vars".
  const out = [];
  let rest = field;
  while (rest) {
    const cut = Math.max(rest.lastIndexOf('.'), rest.lastIndexOf('['));
    if (cut <= 0) break;
    rest = rest.slice(0, cut);
    out.push(rest);
  }
  return out;
}

export function clearErrors(container, formError) {
  container.querySelectorAll('.field-error').forEach((e) => e.remove());
  container.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    const ids = (e.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.startsWith('error-'));
    if (ids.length) e.setAttribute('aria-describedby', ids.join(' ')); else e.removeAttribute('aria-describedby');
  });
  if (formError) { clear(formError); formError.hidden = true; }
}

// Puts each {field, message} next to the field of that path, or of its nearest enclosing
// field (an error inside a JSON textarea's value goes to the textarea), or else into formError.
// Returns the first control marked, to move focus there.
export function placeErrors(container, errors, formError) {
  const byPath = new Map();
  container.querySelectorAll('[data-path]').forEach((el) => byPath.set(el.dataset.path, el));
  // Map entries are also known by their key: the server says "upstream.nodes.10.0.0.1:80".
  container.querySelectorAll('[data-map]').forEach((group) => {
    group.querySelectorAll('.kv-row').forEach((row) => {
      const key = row.querySelector('input')?.value.trim();
      if (key) byPath.set(`${group.dataset.map}.${key}`, row);
    });
  });
  let first = null;
  const unplaced = [];
  errors.forEach((error, i) => {
    const field = error.field ?? '';
    let target = field === '' ? null : byPath.get(field);
    if (!target && field !== '') {
      target = segmentsUp(field).map((p) => byPath.get(p)).find((el) => el && el.dataset.path !== '');
    }
    if (!target || target.dataset.path === '') {
      unplaced.push(error);
      return;
    }
    const id = `error-${i}-${Date.now()}`;
    const slot = target.querySelector(':scope > .field-errors') || target;
    slot.append(h('p', { class: 'field-error', 'data-field': field, id, role: 'alert' }, error.message));
    const control = target.matches('input, select, textarea') ? target
      : (target.querySelector(`[id="field-${CSS.escape(field)}"]`) || target.querySelector('input, select, textarea'));
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
      if (!first) first = control;
    }
    const details = target.closest('details');
    if (details) details.open = true;
    for (let d = target.parentElement?.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
  });
  if (formError && unplaced.length) {
    clear(formError);
    formError.append(h('p', null, 'The gateway refused this:'),
      h('ul', null, unplaced.map((e) => h('li', { class: 'field-error', 'data-field': e.field ?? '' },
        e.field ? h('code', null, e.field) : null, e.field ? ': ' : null, e.message))));
    formError.hidden = false;
  }
  return first;
}
