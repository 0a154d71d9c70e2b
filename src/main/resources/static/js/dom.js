// A small element builder: h('button', {type: 'button', onclick}, 'Text').

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function field(id, labelText, input, hint) {
  input.id = id;
  input.addEventListener('input', () => {
    const error = document.getElementById(`${id}-error`);
    if (error && error.dataset.fromServer) {
      error.textContent = '';
      delete error.dataset.fromServer;
    }
  });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, labelText),
    input,
    hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('span', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' }),
  );
}

/** Clears the form's field errors, then shows each problem+json field error next to its field. */
export function showFieldErrors(form, problem, fieldIds) {
  for (const span of form.querySelectorAll('.field-error')) span.textContent = '';
  const rest = [];
  for (const error of (problem && problem.errors) || []) {
    const name = String(error.field).replace(/\[.*$/, '').trim();
    const id = fieldIds[name];
    const span = id && form.querySelector(`#${id}-error`);
    if (span) {
      span.textContent = `${error.field}: ${error.message}`;
      span.dataset.fromServer = 'true';
    }
    else rest.push(`${error.field}: ${error.message}`);
  }
  return rest;
}
