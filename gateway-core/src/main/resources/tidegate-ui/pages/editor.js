import { h, link, route, clear } from '../dom.js';
import { api, enc, ApiError } from '../api.js';
import { state, loadSchemas } from '../state.js';
import { findItem, generateId } from '../resources.js';
import { createForm, placeErrors, clearErrors } from '../form.js';
import { diffValues, hasChanges, renderDiff } from '../diff.js';
import { pageHeading, errorBox, loading } from './common.js';
import { loadConfig, capitalize } from './resources.js';

// The editor of one resource: the form generated from its schema, or the raw text (JSON or
// YAML). Saving is two steps: "Review" has the server validate the resource against the whole
// configuration and shows the diff against the stored version; "Save" then writes it.

export async function renderEditor(view, ctx, type, id) {
  let isNew = id === null;
  pageHeading(view, isNew ? `New ${type.singular}` : `Edit ${type.singular} ${id}`);
  view.append(h('p', { class: 'back' }, isNew
    ? link(route(type.slug), `← All ${type.title.toLowerCase()}`)
    : link(route(type.slug, id), `← ${capitalize(type.singular)} ${id}`)));
  const wait = view.appendChild(loading());
  const [schemas, config] = await Promise.all([loadSchemas(ctx.signal), loadConfig(ctx)]);
  wait.remove();
  if (!ctx.alive) return;
  if (!state.writable) {
    view.append(h('p', { class: 'notice notice-bad', role: 'alert' }, 'The configuration is read-only here; nothing can be edited.'));
    return;
  }
  let stored = isNew ? null : findItem(config.document, type, id);
  if (!isNew && !stored) {
    view.append(h('p', { class: 'notice notice-bad', role: 'alert' }, `There is no ${type.singular} ${id} in the configuration in force.`));
    return;
  }
  const schema = schemas.resources?.[type.api] || { type: 'object' };
  const formOptions = {
    keyField: type.key,
    isNew,
    newKey: type.key === 'id' ? generateId() : '',
    plugins: schemas.plugins || {},
    consumer: type.api === 'consumers',
  };

  let mode = 'form';
  let form = createForm(schema, stored, formOptions);
  let pending = null;

  const fields = h('div', { id: 'form-fields' }, form.element);
  const rawFormat = h('select', { id: 'raw-format' }, h('option', { value: 'json' }, 'JSON'), h('option', { value: 'yaml' }, 'YAML'));
  const rawEditor = h('textarea', { id: 'raw-editor', class: 'mono', rows: 24, spellcheck: 'false', 'aria-describedby': 'raw-hint' });
  const rawPane = h('div', { id: 'raw-pane', hidden: true },
    h('div', { class: 'field field-short' }, h('label', { for: 'raw-format' }, 'Format'), rawFormat),
    h('div', { class: 'field' }, h('label', { for: 'raw-editor' }, `The ${type.singular} as text`), rawEditor,
      h('p', { class: 'hint', id: 'raw-hint' }, 'The whole resource; YAML is converted by the gateway.')));
  const formError = h('div', { id: 'form-error', class: 'notice notice-bad', role: 'alert', tabindex: '-1', hidden: true });
  const rawToggle = h('button', { id: 'raw-toggle', type: 'button', class: 'secondary' }, 'Edit as text (JSON/YAML)');
  const reviewButton = h('button', { id: 'review', type: 'submit' }, 'Review changes');
  const formEl = h('form', { id: 'resource-form', novalidate: true, 'aria-label': `${type.singular} ${isNew ? '(new)' : id}` },
    h('p', { class: 'hint' }, h('span', { 'aria-hidden': 'true' }, '* '), 'marks a required field.',
      type.api === 'ssls' && !isNew ? ' The stored private key is never shown.' : null),
    fields, rawPane, formError,
    h('div', { class: 'actions' }, reviewButton, ' ', link(isNew ? route(type.slug) : route(type.slug, id), 'Cancel', { class: 'button-link' })));
  const diffHolder = h('div', { id: 'diff-holder' });
  const confirmSave = h('button', { id: 'confirm-save', type: 'button' }, 'Save');
  const keepEditing = h('button', { type: 'button', class: 'secondary' }, 'Keep editing');
  const reviewHeading = h('h2', { tabindex: '-1' }, 'Review');
  const reviewNote = h('p');
  const reviewPane = h('section', { id: 'review-pane', class: 'panel', hidden: true }, reviewHeading, reviewNote, diffHolder,
    h('div', { class: 'actions' }, confirmSave, ' ', keepEditing));
  const saveResult = h('div', { id: 'save-result', role: 'status' });
  view.append(h('div', { class: 'editor-tools' }, rawToggle), formEl, reviewPane, saveResult);

  // Focus goes to the first field with an error, or to the general message, so the user is
  // taken to what needs fixing.
  function showError(errors) {
    const first = placeErrors(mode === 'form' ? fields : rawPane, errors, formError);
    if (first) first.focus();
    else if (!formError.hidden) formError.focus();
  }

  function reset() {
    clearErrors(formEl, formError);
    reviewPane.hidden = true;
    pending = null;
  }

  async function toText(value, format) {
    const json = JSON.stringify(value, null, 2);
    if (format === 'json') return json;
    return api.post('/format?to=yaml', json);
  }

  // Parses the raw editor; YAML goes through the gateway so it is read the way the gateway reads it.
  async function fromText() {
    const text = rawEditor.value;
    if (rawFormat.value === 'json') {
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new ApiError(400, null, `Not valid JSON: ${error.message}`);
      }
    }
    const parsed = await api.post('/format?to=json', text, { contentType: 'application/yaml' });
    // the gateway quotes strings that look like numbers (id: "2"), so they read back as strings
    return typeof parsed === 'string' ? JSON.parse(parsed) : parsed;
  }

  async function currentValue() {
    if (mode === 'form') return form.read();
    const value = await fromText();
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { value, errors: [{ field: '', message: `The ${type.singular} must be an object.` }] };
    }
    return { value, errors: [] };
  }

  rawToggle.addEventListener('click', async () => {
    reset();
    try {
      if (mode === 'form') {
        const { value, errors } = form.read();
        if (errors.length) { showError(errors); return; }
        rawEditor.value = await toText(value, rawFormat.value);
        mode = 'raw';
        fields.hidden = true;
        rawPane.hidden = false;
        rawToggle.textContent = 'Back to the form';
        rawEditor.focus();
      } else {
        const { value, errors } = await currentValue();
        if (errors.length) { showError(errors); return; }
        form = createForm(schema, value, { ...formOptions, isNew });
        fields.replaceChildren(form.element);
        mode = 'form';
        fields.hidden = false;
        rawPane.hidden = true;
        rawToggle.textContent = 'Edit as text (JSON/YAML)';
        fields.querySelector('input:not([readonly]), select, textarea')?.focus();
      }
    } catch (error) {
      showError([{ field: '', message: error.message }]);
    }
  });

  let lastFormat = 'json';
  rawFormat.addEventListener('change', async () => {
    reset();
    const target = rawFormat.value;
    rawFormat.value = lastFormat;
    try {
      const value = await fromText();
      rawEditor.value = await toText(value, target);
      rawFormat.value = target;
      lastFormat = target;
    } catch (error) {
      showError([{ field: '', message: `Could not convert: ${error.message}` }]);
    }
  });

  formEl.addEventListener('submit', async (event) => {
    event.preventDefault();
    reset();
    saveResult.replaceChildren();
    reviewButton.disabled = true;
    try {
      const { value, errors } = await currentValue();
      if (errors.length) { showError(errors); return; }
      const key = value[type.key] !== undefined ? String(value[type.key]) : (mode === 'form' ? form.keyValue() : null);
      if (!key) { showError([{ field: type.key, message: `the ${type.key} is required` }]); return; }
      if (!isNew && key !== String(id)) {
        showError([{ field: type.key, message: `the ${type.key} of a stored ${type.singular} cannot change (create a new one instead)` }]);
        return;
      }
      if (isNew) {
        const latest = await loadConfig(ctx);
        if (findItem(latest.document, type, key)) {
          showError([{ field: type.key, message: `a ${type.singular} with ${type.key} ${key} exists already` }]);
          return;
        }
      }
      await api.post(`/validate/${type.api}/${enc(key)}`, value, { signal: ctx.signal });
      const lines = diffValues(stored, value);
      clear(diffHolder).append(renderDiff(lines, { id: 'diff' }));
      const changed = hasChanges(lines);
      reviewNote.textContent = changed
        ? `The gateway accepts this ${type.singular}. ${isNew ? 'It is new.' : `Changes against the stored version:`}`
        : 'No changes against the stored version.';
      confirmSave.hidden = !changed;
      pending = { key, value };
      reviewPane.hidden = false;
      reviewHeading.focus();
    } catch (error) {
      if (error.name === 'AbortError' || error.status === 401) return;
      if (error.status === 400) showError(error.fieldErrors.length ? error.fieldErrors : [{ field: '', message: error.message }]);
      else showError([{ field: '', message: error.message }]);
    } finally {
      reviewButton.disabled = false;
    }
  });

  keepEditing.addEventListener('click', () => {
    reviewPane.hidden = true;
    pending = null;
    reviewButton.focus();
  });

  confirmSave.addEventListener('click', async () => {
    if (!pending) return;
    confirmSave.disabled = true;
    const { key, value } = pending;
    try {
      const answer = await api.put(`/resources/${type.api}/${enc(key)}`, value);
      const created = answer?.created === true;
      stored = answer?.value ?? value;
      reviewPane.hidden = true;
      pending = null;
      if (isNew) {
        // Now stored: further edits of this form are edits of that resource.
        isNew = false;
        id = key;
        form.lockKey();
        history.replaceState(null, '', route(type.slug, key, 'edit'));
      }
      saveResult.replaceChildren(h('p', { class: 'notice notice-ok' },
        `${created ? 'Created' : 'Saved'} ${type.singular} ${key}`,
        answer?.config_version !== undefined ? `; configuration version ${answer.config_version} is in force. ` : '. ',
        link(route(type.slug, key), `View ${type.singular} ${key}`)));
      saveResult.querySelector('a')?.focus();
    } catch (error) {
      if (error.status === 401) return;
      reviewPane.hidden = true;
      if (error.status === 400) showError(error.fieldErrors.length ? error.fieldErrors : [{ field: '', message: error.message }]);
      else saveResult.replaceChildren(errorBox(error, 'Not saved'));
    } finally {
      confirmSave.disabled = false;
    }
  });
}
