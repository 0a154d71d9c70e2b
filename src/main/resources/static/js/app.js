// The web console: one page, routed by the URL's hash, on the public /v1 API only.
import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';
import * as api from './api.js';
import { field, h, showFieldErrors } from './dom.js';

// The API's token rule (concept.TrainingDefaults.TOKEN_REGEX) and its training defaults.
const TOKEN = /^<[a-z0-9][a-z0-9_-]{0,38}>$/;
const INITIALIZER = /^[A-Za-z]+( [A-Za-z]+)*$/;
const DEFAULTS = { steps: 400, learningRate: { dti: 0.01, ti: 0.005 }, kappa: 0.0001, batchSize: 4 };
const FORMATS = ['diffusers', 'a1111', 'kohya'];
const POLL_MS = 2000;
const PREVIEW_MS = 3000;

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const status = document.getElementById('status');
let leavePage = () => {};

function say(text) {
  status.textContent = text || '';
}

function render(title, ...content) {
  main.replaceChildren(h('h1', {}, title), ...content);
  document.title = `${title} · DTI console`;
  main.focus();
}

function errorBox(id) {
  return h('p', { class: 'error', id, role: 'alert' });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function route() {
  leavePage();
  leavePage = () => {};
  say('');
  const [page, arg] = location.hash.replace(/^#\/?/, '').split('/');
  if (!api.apiKey()) {
    nav.hidden = true;
    return signIn();
  }
  nav.hidden = false;
  try {
    switch (page) {
      case 'new':
        return newConcept();
      case 'job':
        return jobPage(arg);
      case 'generate':
        return generate();
      case 'interpolate':
        return interpolate();
      case 'import':
        return importEmbedding();
      default:
        return concepts();
    }
  } catch (error) {
    render('Error', h('p', { class: 'error', role: 'alert' }, error.message));
  }
}

// ---- Sign-in -------------------------------------------------------------------------------

function signIn() {
  const key = h('input', { type: 'password', autocomplete: 'off', required: true });
  const error = errorBox('signin-error');
  const form = h(
    'form',
    { id: 'signin-form' },
    field('api-key', 'API key', key, 'Kept in this tab only (sessionStorage).'),
    h('p', {}, h('button', { type: 'submit', id: 'signin' }, 'Sign in')),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      await api.json('/v1/concepts?size=1', { key: key.value.trim() });
      api.saveKey(key.value.trim());
      location.hash = '#/concepts';
      route();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  render('Sign in', form);
}

document.getElementById('signout').addEventListener('click', () => {
  api.forgetKey();
  location.hash = '#/';
  route();
});

// ---- Concepts ------------------------------------------------------------------------------

async function allConcepts() {
  const page = await api.json('/v1/concepts?size=100');
  return page.items;
}

function badge(state) {
  return h('span', { class: `badge ${state || ''}` }, state || 'no job');
}

async function concepts() {
  const list = h('ul', { class: 'cards', id: 'concept-list' });
  render('Concepts', h('p', {}, h('a', { class: 'button', href: '#/new' }, 'New concept')), list);
  const items = await allConcepts();
  if (!items.length) list.append(h('li', {}, 'No concepts yet.'));
  for (const concept of items) {
    const job = concept.latestJob;
    const img = h('img', { alt: `reference image 0 of ${concept.name}`, width: 64, height: 64 });
    if (concept.imageCount > 0) {
      api.blobUrl(`/v1/concepts/${concept.id}/images/0`).then(
        (url) => (img.src = url),
        () => img.remove(),
      );
    }
    const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
    remove.addEventListener('click', async () => {
      if (!confirm(`Delete ${concept.name} ${concept.token}?`)) return;
      try {
        await api.json(`/v1/concepts/${concept.id}`, { method: 'DELETE' });
        route();
      } catch (e) {
        say(e.message);
      }
    });
    list.append(
      h(
        'li',
        { class: 'card concept', 'data-token': concept.token },
        concept.imageCount > 0 ? img : h('span', { class: 'noimage' }, 'imported'),
        h('h2', {}, concept.name, ' ', badge(job && job.state)),
        h('div', {}, h('code', {}, concept.token), ` · ${concept.method}`),
        h(
          'div',
          { class: 'hint' },
          job && job.embeddingNorm != null ? `norm ${job.embeddingNorm.toFixed(4)}` : 'norm –',
          ` · ${concept.imageCount} images`,
        ),
        h(
          'div',
          { class: 'actions' },
          job ? h('a', { href: `#/job/${job.id}` }, 'Job') : null,
          remove,
        ),
      ),
    );
  }
}

// ---- New concept ---------------------------------------------------------------------------

function newConcept() {
  const files = [];
  const thumbs = h('ul', { class: 'thumbs', id: 'thumbs' });
  const picker = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', multiple: true });
  const drop = h(
    'div',
    { class: 'drop', id: 'drop' },
    h('p', {}, 'Drop 2–20 images here, or pick them:'),
    field('images', 'Images', picker),
  );
  const addFiles = (list) => {
    for (const file of list) {
      if (files.length >= 20) break;
      const caption = h('input', { type: 'text', maxlength: 200, name: 'caption' });
      const entry = { file, caption };
      files.push(entry);
      const url = URL.createObjectURL(file);
      const index = files.length - 1;
      const removeButton = h('button', { type: 'button', class: 'secondary' }, 'Remove');
      const item = h(
        'li',
        { class: 'thumb' },
        h('img', { src: url, alt: file.name }),
        field(`caption-${index}`, `Caption of ${file.name}`, caption),
        removeButton,
      );
      removeButton.addEventListener('click', () => {
        files.splice(files.indexOf(entry), 1);
        item.remove();
        URL.revokeObjectURL(url);
      });
      thumbs.append(item);
    }
  };
  picker.addEventListener('change', () => {
    addFiles(picker.files);
    picker.value = '';
  });
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    addFiles(event.dataTransfer.files);
  });

  const name = h('input', { type: 'text', maxlength: 100, required: true });
  const token = h('input', { type: 'text', placeholder: '<my-rabbit>', required: true });
  const initializer = h('input', { type: 'text', value: 'object', required: true });
  const method = h('select', {}, h('option', { value: 'dti' }, 'dti'), h('option', { value: 'ti' }, 'ti'));
  const steps = h('input', { type: 'number', min: 1, max: 5000, value: DEFAULTS.steps });
  const learningRate = h('input', { type: 'number', step: 'any', min: 0, max: 1, value: DEFAULTS.learningRate.dti });
  const kappa = h('input', { type: 'number', step: 'any', min: 0, max: 1, value: DEFAULTS.kappa });
  const batchSize = h('input', { type: 'number', min: 1, max: 16, value: DEFAULTS.batchSize });
  const seed = h('input', { type: 'number', placeholder: 'random' });
  const numVectors = h('input', { type: 'number', min: 1, max: 8, placeholder: 'from the initializer' });
  const templates = h('select', {}, h('option', { value: 'object' }, 'object'), h('option', { value: 'style' }, 'style'));
  method.addEventListener('change', () => {
    learningRate.value = DEFAULTS.learningRate[method.value];
    kappa.disabled = method.value === 'ti';
  });
  const checkToken = () => {
    const message = TOKEN.test(token.value) ? '' : 'Use <, a lower-case letter or digit, up to 38 of a-z 0-9 _ -, then >';
    form.querySelector('#token-error').textContent = message;
    token.setAttribute('aria-invalid', message ? 'true' : 'false');
  };
  token.addEventListener('input', checkToken);

  const error = errorBox('new-error');
  const submit = h('button', { type: 'submit', id: 'create' }, 'Create and train');
  const form = h(
    'form',
    { id: 'new-form', novalidate: true },
    drop,
    thumbs,
    field('name', 'Name', name),
    field('token', 'Token', token, 'e.g. <my-rabbit>'),
    field('initializer', 'Initializer', initializer, 'one or more words, e.g. rabbit'),
    field('method', 'Method', method),
    h(
      'details',
      {},
      h('summary', {}, 'Hyperparameters'),
      h(
        'div',
        { class: 'row' },
        field('steps', 'Steps (400)', steps),
        field('learningRate', 'Learning rate (dti 0.01, ti 0.005)', learningRate),
        field('kappa', 'κ prior weight (0.0001, dti only)', kappa),
        field('batchSize', 'Batch size (4)', batchSize),
        field('seed', 'Seed (random)', seed),
        field('numVectors', 'Vectors (initializer tokens)', numVectors),
        field('templates', 'Templates (object)', templates),
      ),
    ),
    h('p', {}, submit),
    error,
  );
  const ids = { images: 'images', captions: 'images', name: 'name', token: 'token', initializer: 'initializer',
    method: 'method', steps: 'steps', learningRate: 'learningRate', kappa: 'kappa', batchSize: 'batchSize',
    seed: 'seed', numVectors: 'numVectors', templates: 'templates' };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = new FormData();
    for (const { file } of files) body.append('images', file, file.name);
    if (files.some(({ caption }) => caption.value)) {
      for (const { caption } of files) body.append('captions', caption.value);
    }
    body.append('name', name.value);
    body.append('token', token.value);
    body.append('initializer', initializer.value);
    body.append('method', method.value);
    body.append('templates', templates.value);
    for (const [key, input] of Object.entries({ steps, learningRate, batchSize, seed, numVectors })) {
      if (input.value !== '') body.append(key, input.value);
    }
    if (method.value === 'dti' && kappa.value !== '') body.append('kappa', kappa.value);
    submit.disabled = true;
    try {
      const created = await api.json('/v1/concepts', {
        method: 'POST',
        body,
        headers: { 'Idempotency-Key': crypto.randomUUID() },
      });
      location.hash = `#/job/${created.job.id}`;
    } catch (e) {
      const rest = showFieldErrors(form, e.problem, ids);
      error.textContent = [e.message, ...rest].join(' · ');
    } finally {
      submit.disabled = false;
    }
  });
  render('New concept', form);
  if (!INITIALIZER.test(initializer.value)) initializer.value = '';
}

// ---- Job -----------------------------------------------------------------------------------

function chart(target, title, label, colour, withM) {
  const series = [{}, { label, stroke: colour, width: 2 }];
  if (withM) series.push({ label: 'm', stroke: '#a4262c', dash: [6, 4], width: 1.5 });
  const width = Math.max(260, Math.min(target.clientWidth || 400, 560) - 10);
  // A norm held at m varies in its fifth digit; a padded range keeps such a line flat, not noise.
  const padded = (u, min, max) => {
    const pad = Math.max((max - min) * 0.1, Math.abs(max) * 0.02, 1e-6);
    return [min - pad, max + pad];
  };
  const options = {
    title,
    width,
    height: 200,
    scales: { x: { time: false }, y: { range: padded } },
    axes: [{}, { size: 60, values: (u, ticks) => ticks.map((v) => Number(v.toPrecision(4))) }],
    series,
  };
  return new uPlot(options, withM ? [[], [], []] : [[], []], target);
}

async function jobPage(id) {
  let job = await api.json(`/v1/jobs/${id}`);
  const state = h('span', { id: 'job-state' });
  const bar = h('progress', { id: 'job-progress', max: 1, value: 0 });
  const eta = h('span', { id: 'job-eta' });
  const numbers = h('span', { id: 'job-numbers' });
  const lossBox = h('div', { class: 'chart', id: 'loss-chart', role: 'img', 'aria-label': 'loss over the steps' });
  const normBox = h('div', { class: 'chart', id: 'norm-chart', role: 'img', 'aria-label': 'embedding norm over the steps and m' });
  const cancel = h('button', { type: 'button', id: 'cancel', class: 'danger' }, 'Cancel');
  const downloads = h('p', { id: 'downloads' });
  const mLine = h('p', { class: 'hint', id: 'norm-m' });
  const previews = h('div', { class: 'gallery', id: 'previews', 'aria-label': 'validation previews' });
  render(
    'Training job',
    h('p', {}, 'State: ', state, ' · ', numbers, ' · ETA ', eta),
    h('label', { for: 'job-progress' }, 'Progress'),
    bar,
    h('div', { class: 'charts' }, lossBox, normBox),
    mLine,
    previews,
    h('p', {}, cancel),
    downloads,
  );
  const concept = job.conceptId ? await api.json(`/v1/concepts/${job.conceptId}`) : null;
  const isDti = concept && concept.hyperparameters.method === 'dti';
  const lossChart = chart(lossBox, 'Loss', 'loss', '#1565c0', false);
  const normChart = chart(normBox, 'Embedding norm', 'norm', '#2e7d32', true);
  const points = new Map();
  let m = null;

  const redraw = () => {
    const steps = [...points.keys()].sort((a, b) => a - b);
    lossChart.setData([steps, steps.map((s) => points.get(s).loss)]);
    normChart.setData([steps, steps.map((s) => points.get(s).norm), steps.map(() => m)]);
  };
  const show = (view) => {
    state.replaceChildren(badge(view.state));
    bar.value = view.progress || 0;
    bar.textContent = `${Math.round((view.progress || 0) * 100)} %`;
    eta.textContent = view.etaSeconds != null ? `${Math.round(view.etaSeconds)} s` : '–';
    numbers.textContent = `step ${view.currentStep} of ${view.totalSteps}`;
    cancel.disabled = !['queued', 'running'].includes(view.state);
  };
  const addPoint = (step, loss, norm) => {
    if (step > 0 && loss != null && norm != null) points.set(step, { loss, norm });
  };
  const fromJob = (view) => {
    show(view);
    const history = view.history;
    if (history) history.steps.forEach((s, i) => addPoint(s, history.loss[i], history.norm[i]));
    addPoint(view.currentStep, view.lastLoss, view.embeddingNorm);
    redraw();
  };
  // Validation previews (when dti.training.preview-every is on): one picture a preview step.
  const shownPreviews = new Set();
  let previewsAsked = 0;
  const loadPreviews = async (force) => {
    if (!force && Date.now() - previewsAsked < PREVIEW_MS) return;
    previewsAsked = Date.now();
    try {
      const steps = await api.json(`/v1/jobs/${id}/previews`);
      for (const step of steps) {
        // checked here, not before the loop: another call may have shown it while this one awaited
        if (shownPreviews.has(step)) continue;
        shownPreviews.add(step);
        const img = h('img', { alt: `validation preview at step ${step}`, width: 128, height: 128 });
        previews.append(h('figure', {}, img, h('figcaption', {}, `step ${step}`)));
        img.src = await api.blobUrl(`/v1/jobs/${id}/previews/${step}`);
      }
    } catch {
      // previews are optional; the charts and state stay
    }
  };
  const finished = (view) => ['succeeded', 'failed', 'canceled'].includes(view.state);
  const onEnd = async () => {
    job = await api.json(`/v1/jobs/${id}`);
    fromJob(job);
    await loadPreviews(true);
    if (job.state === 'succeeded' && job.conceptId) {
      const base = `/v1/concepts/${job.conceptId}/embedding`;
      try {
        m = await api.embeddingNormM(`${base}?format=diffusers`);
      } catch {
        m = null;
      }
      mLine.textContent = m != null ? `m = ${m.toFixed(4)} (the model's mean token norm${isDti ? '; DTI keeps the norm at m' : ''})` : '';
      redraw();
      downloads.replaceChildren(
        'Download: ',
        ...FORMATS.map((format) => {
          const button = h('button', { type: 'button', class: 'secondary', id: `download-${format}` }, format);
          button.addEventListener('click', () =>
            api.download(`${base}?format=${format}`, `${concept ? concept.token.replace(/[<>]/g, '') : 'embedding'}-${format}.safetensors`).catch((e) => say(e.message)),
          );
          return button;
        }),
      );
    }
    if (job.state === 'failed') say(job.error || 'The job failed.');
  };
  cancel.addEventListener('click', async () => {
    try {
      show(await api.json(`/v1/jobs/${id}/cancel`, { method: 'POST' }));
    } catch (e) {
      say(e.message);
    }
  });

  fromJob(job);
  if (finished(job)) return onEnd();
  const abort = new AbortController();
  leavePage = () => abort.abort();
  try {
    await api.readEvents(
      `/v1/jobs/${id}/events`,
      (event) => {
        const data = JSON.parse(event.data);
        show(data);
        if (data.detail) {
          addPoint(data.currentStep, data.detail.lastLoss, data.detail.embeddingNorm);
          redraw();
        }
        loadPreviews(false);
      },
      abort.signal,
    );
  } catch (e) {
    if (abort.signal.aborted) return;
    say(`Live stream unavailable (${e.message}); polling every 2 s.`);
    while (!abort.signal.aborted) {
      job = await api.json(`/v1/jobs/${id}`);
      fromJob(job);
      if (finished(job)) break;
      await sleep(POLL_MS);
    }
  }
  if (!abort.signal.aborted) await onEnd();
}

// ---- Generate ------------------------------------------------------------------------------

async function tokenList(id) {
  const list = h('datalist', { id });
  for (const concept of await allConcepts()) list.append(h('option', { value: concept.token }, concept.name));
  return list;
}

/** Waits for a generation or interpolation answered 202 until it has succeeded or failed. */
async function untilDone(path, view, signal) {
  while (!['succeeded', 'failed', 'canceled'].includes(view.state)) {
    if (signal.aborted) throw new Error('left the page');
    say(`Rendering… ${view.job ? Math.round(view.job.progress * 100) : 0} %`);
    await sleep(1000);
    view = await api.json(`${path}/${view.id}`);
  }
  say('');
  if (view.state !== 'succeeded') throw new Error((view.job && view.job.error) || `The request ${view.state}.`);
  return view;
}

function diceSeed() {
  return Math.floor(Math.random() * 2 ** 31);
}

function samplingFields(prefix) {
  const steps = h('input', { type: 'number', min: 1, value: 25 });
  const guidance = h('input', { type: 'number', step: 'any', value: 7.5 });
  const scheduler = h('select', {}, h('option', { value: 'ddim' }, 'ddim'), h('option', { value: 'euler' }, 'euler'));
  const seed = h('input', { type: 'number', min: 0, value: diceSeed() });
  const dice = h('button', { type: 'button', class: 'secondary', id: `${prefix}-dice`, 'aria-label': 'random seed' }, 'Roll a seed');
  dice.addEventListener('click', () => (seed.value = diceSeed()));
  const elements = h(
    'div',
    { class: 'row' },
    h('div', {}, field(`${prefix}-seed`, 'Seed', seed), dice),
    field(`${prefix}-steps`, 'Steps', steps),
    field(`${prefix}-guidance`, 'Guidance', guidance),
    field(`${prefix}-scheduler`, 'Scheduler', scheduler),
  );
  const values = () => ({
    seed: seed.value === '' ? undefined : Number(seed.value),
    steps: Number(steps.value),
    guidanceScale: Number(guidance.value),
    scheduler: scheduler.value,
  });
  return { elements, values };
}

async function generate() {
  const prompt = h('input', { type: 'text', list: 'tokens', required: true, value: 'a ' });
  const negative = h('input', { type: 'text' });
  const count = h('input', { type: 'number', min: 1, max: 4, value: 2 });
  const sampling = samplingFields('gen');
  const gallery = h('ul', { class: 'gallery', id: 'gallery' });
  const error = errorBox('gen-error');
  const submit = h('button', { type: 'submit', id: 'generate' }, 'Generate');
  const form = h(
    'form',
    { id: 'gen-form' },
    await tokenList('tokens'),
    field('prompt', 'Prompt', prompt, 'Your tokens are offered as you type.'),
    field('negativePrompt', 'Negative prompt', negative),
    sampling.elements,
    field('numImages', 'Images (1–4)', count),
    h('p', {}, submit),
    error,
  );
  const abort = new AbortController();
  leavePage = () => abort.abort();
  const ids = { prompt: 'prompt', negativePrompt: 'negativePrompt', numImages: 'numImages', seed: 'gen-seed',
    steps: 'gen-steps', guidanceScale: 'gen-guidance', scheduler: 'gen-scheduler' };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      let view = await api.json('/v1/generations', {
        method: 'POST',
        headers: { 'Idempotency-Key': crypto.randomUUID() },
        body: { prompt: prompt.value, negativePrompt: negative.value, numImages: Number(count.value), ...sampling.values() },
      });
      view = await untilDone('/v1/generations', view, abort.signal);
      gallery.replaceChildren(...view.images.map((image) => galleryItem(image)));
    } catch (e) {
      const rest = showFieldErrors(form, e.problem, ids);
      error.textContent = [e.message, ...rest].join(' · ');
    } finally {
      submit.disabled = false;
    }
  });
  render('Generate', form, gallery);
}

function galleryItem(image) {
  const img = h('img', { alt: `generated image, seed ${image.seed}`, width: image.width, height: image.height });
  api.blobUrl(image.url).then((url) => (img.src = url), (e) => say(e.message));
  const save = h('button', { type: 'button', class: 'secondary' }, 'Download PNG');
  save.addEventListener('click', () => api.download(image.url, `dti-${image.id}.png`).catch((e) => say(e.message)));
  const metadata = h('dl', {});
  for (const [key, value] of Object.entries(image.metadata || {})) {
    metadata.append(h('dt', {}, key), h('dd', {}, value));
  }
  return h('li', { class: 'generated' }, h('figure', {}, img, h('figcaption', {}, `seed ${image.seed}`), h('details', {}, h('summary', {}, 'Metadata'), metadata), save));
}

// ---- Interpolate ---------------------------------------------------------------------------

async function interpolate() {
  const items = (await allConcepts()).filter((c) => !c.latestJob || c.latestJob.state === 'succeeded');
  const options = () => items.map((c) => h('option', { value: c.token }, `${c.name} ${c.token}`));
  const first = h('select', {}, options());
  const second = h('select', {}, options());
  if (items.length > 1) second.selectedIndex = 1;
  const template = h('input', { type: 'text', value: 'a {} on a white background', required: true });
  const count = h('input', { type: 'number', min: 2, max: 16, value: 5 });
  const sampling = samplingFields('int');
  const error = errorBox('int-error');
  const submit = h('button', { type: 'submit', id: 'interpolate' }, 'Interpolate');
  const result = h('div', { id: 'interpolation' });
  const form = h(
    'form',
    { id: 'int-form' },
    h('div', { class: 'row' }, field('int-first', 'From (t = 0)', first), field('int-second', 'To (t = 1)', second)),
    field('promptTemplate', 'Template ({} is the concept)', template),
    field('points', 'Points', count),
    sampling.elements,
    h('p', {}, submit),
    error,
  );
  const abort = new AbortController();
  leavePage = () => abort.abort();
  const ids = { concepts: 'int-first', promptTemplate: 'promptTemplate', t: 'points', seed: 'int-seed',
    steps: 'int-steps', guidanceScale: 'int-guidance', scheduler: 'int-scheduler' };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    const n = Math.max(2, Number(count.value));
    const t = Array.from({ length: n }, (_, i) => Number((i / (n - 1)).toFixed(4)));
    try {
      let view = await api.json('/v1/interpolations', {
        method: 'POST',
        headers: { 'Idempotency-Key': crypto.randomUUID() },
        body: { concepts: [first.value, second.value], t, promptTemplate: template.value, ...sampling.values() },
      });
      view = await untilDone('/v1/interpolations', view, abort.signal);
      showInterpolation(result, view);
    } catch (e) {
      const rest = showFieldErrors(form, e.problem, ids);
      error.textContent = [e.message, ...rest].join(' · ');
    } finally {
      submit.disabled = false;
    }
  });
  render('Interpolate', form, result);
}

function showInterpolation(target, view) {
  const points = view.points;
  const urls = points.map(() => null);
  const img = h('img', { id: 'scrub-image', alt: 'interpolated image' });
  const slider = h('input', { type: 'range', id: 'scrub', min: 0, max: points.length - 1, step: 1, value: 0 });
  const readout = h('output', { id: 'scrub-readout', for: 'scrub' });
  const save = h('button', { type: 'button', class: 'secondary', id: 'download-point' }, 'Download this embedding');
  const select = async () => {
    const point = points[Number(slider.value)];
    const weights = point.weights || [1 - point.t, point.t];
    readout.textContent = `t = ${point.t != null ? point.t.toFixed(2) : '–'} · weights ${weights.map((w) => w.toFixed(2)).join(' / ')}`;
    if (!urls[point.index] && point.imageId) urls[point.index] = await api.blobUrl(`/v1/images/${point.imageId}`);
    img.src = urls[point.index] || '';
    img.alt = `interpolated image at t = ${point.t}`;
  };
  slider.addEventListener('input', () => select().catch((e) => say(e.message)));
  save.addEventListener('click', () => {
    const point = points[Number(slider.value)];
    const path = (point.embeddings && point.embeddings.diffusers) || `/v1/interpolations/${view.id}/embeddings/${point.index}?format=diffusers`;
    api.download(path, `interpolation-${point.index}.safetensors`).catch((e) => say(e.message));
  });
  target.replaceChildren(
    h('div', { class: 'scrub' }, img),
    h('label', { for: 'scrub' }, 'Point'),
    slider,
    h('p', {}, readout),
    save,
  );
  select().catch((e) => say(e.message));
}

// ---- Import --------------------------------------------------------------------------------

function importEmbedding() {
  const file = h('input', { type: 'file', accept: '.safetensors,.pt,.bin', required: true });
  const token = h('input', { type: 'text', required: true, placeholder: '<imported>' });
  const name = h('input', { type: 'text' });
  const repair = h('input', { type: 'checkbox', checked: true });
  const error = errorBox('import-error');
  const submit = h('button', { type: 'submit', id: 'import' }, 'Import');
  const created = h('div', { id: 'imported' });
  const form = h(
    'form',
    { id: 'import-form' },
    field('file', 'Embedding file (.safetensors, .pt, .bin)', file),
    field('import-token', 'Token', token),
    field('import-name', 'Name (optional)', name),
    h('div', {}, h('label', { for: 'repair' }, repair, ' Repair: rescale each row to the model\'s norm m')),
    h('p', {}, submit),
    error,
  );
  repair.id = 'repair';
  token.addEventListener('input', () => {
    form.querySelector('#import-token-error').textContent = TOKEN.test(token.value) ? '' : 'Not a valid token, e.g. <my-rabbit>';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = new FormData();
    body.append('file', file.files[0]);
    body.append('token', token.value);
    if (name.value) body.append('name', name.value);
    body.append('repair', repair.checked ? 'true' : 'false');
    submit.disabled = true;
    try {
      const concept = await api.json('/v1/concepts/import', {
        method: 'POST',
        body,
        headers: { 'Idempotency-Key': crypto.randomUUID() },
      });
      created.replaceChildren(
        h('p', { id: 'import-done' }, 'Imported ', h('code', {}, concept.token), ` as “${concept.name}”. `, h('a', { href: '#/concepts' }, 'See the concepts')),
      );
    } catch (e) {
      const rest = showFieldErrors(form, e.problem, { file: 'file', token: 'import-token', name: 'import-name' });
      error.textContent = [e.message, ...rest].join(' · ');
    } finally {
      submit.disabled = false;
    }
  });
  render('Import an embedding', form, created);
}

window.addEventListener('hashchange', route);
route();
