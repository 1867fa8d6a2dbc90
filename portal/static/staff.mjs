// The workspace without reloads (issue 13). Every page works without this: reload and the server shows the same.
// Server-rendered fragments only (escaped by the templates); nothing here builds HTML from data.

// --- Counting a text as the server does ------------------------------------------------------------------------
// Copied from bot/sms.py (GSM_BASIC, GSM_EXTENDED, _REPLACEMENTS) and forms/schema.py (CONTROL_RE, clean_text);
// tests/test_conversation_frontend.py fails if these drift from the Python.
const GSM_BASIC = new Set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
const GSM_EXTENDED = new Set("^{}\\[~]|€")
const LOOK_ALIKES = {
  "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
  "\u201c": "\"", "\u201d": "\"", "\u201e": "\"", "\u2033": "\"",
  "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
  "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u00b7": "-", "\t": " "
}
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\u{110bd}\u{110cd}\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0001}\u{e0020}-\u{e007f}]/gu
const SEGMENT = { gsm7: 160, ucs2: 70 }
const MULTIPART_SEGMENT = { gsm7: 153, ucs2: 67 }

// A reply as bot/sms.py measure() sees it after forms/schema.py clean_text(multiline=True): { encoding, units, parts }.
export function measure (typed) {
  const cleaned = typed.normalize('NFC').replace(/\r\n?/g, '\n').replace(CONTROL, '').trim()
  const body = Array.from(cleaned, (c) => LOOK_ALIKES[c] ?? c).join('')
  const chars = Array.from(body)
  const encoding = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c)) ? 'gsm7' : 'ucs2'
  // GSM-7: an extension character takes two; UCS-2: UTF-16 code units, which is what a JS string's length counts.
  const units = encoding === 'gsm7' ? chars.reduce((n, c) => n + (GSM_EXTENDED.has(c) ? 2 : 1), 0) : body.length
  const parts = units === 0 ? 0 : units <= SEGMENT[encoding] ? 1 : Math.ceil(units / MULTIPART_SEGMENT[encoding])
  return { encoding, units, parts }
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`

// The words under the box: "143 characters: 1 text", "170 characters: 2 texts of 4", or how many too many.
export function describeCount ({ encoding, units, parts }, maxParts) {
  const alphabet = encoding === 'ucs2' ? ' in another alphabet' : ''
  if (parts > maxParts) {
    const most = maxParts === 1 ? SEGMENT[encoding] : maxParts * MULTIPART_SEGMENT[encoding]
    return { over: true, text: `You have ${plural(units - most, 'character')} too many${alphabet}: ${plural(parts, 'text')}, ${maxParts} at most` }
  }
  const texts = parts === 1 ? '1 text' : `${parts} texts of ${maxParts}`
  return { over: false, text: `${plural(units, 'character')}${alphabet}: ${texts}` }
}

// --- Swapping in fresh server-rendered fragments -----------------------------------------------------------------
const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]'
const every = (ms, fn) => { fn(); return setInterval(fn, ms) }

async function fetchText (url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' }, cache: 'no-store' })
  if (!response.ok) throw new Error(String(response.status))
  return response.text()
}

function parse (html, selector) {
  const template = document.createElement('template') // parses <tbody> and <ol> alike; its scripts never run
  template.innerHTML = html
  return template.content.querySelector(selector)
}

// Where focus is inside `root`, said so that it survives a swap: the row it is in and which control of that row.
function focusWithin (root) {
  const active = document.activeElement
  if (!active || !root.contains(active)) return null
  const row = active.closest('[data-conversation]')
  const scope = row || root
  return { row: row && row.dataset.conversation, index: [...scope.querySelectorAll(FOCUSABLE)].indexOf(active), tag: active.tagName }
}

function refocus (root, where, fallback) {
  const scope = where.row ? [...root.querySelectorAll('[data-conversation]')].find((r) => r.dataset.conversation === where.row) : root
  const same = scope && [...scope.querySelectorAll(FOCUSABLE)][where.index]
  if (same && same.tagName === where.tag) {
    same.focus({ preventScroll: true })
    return true
  }
  if (fallback) { // the row has gone (ended, or no longer in the first page): focus stays in the table, not lost
    fallback.setAttribute('tabindex', '-1')
    fallback.focus({ preventScroll: true })
  }
  return false
}

// Replace `target` with the fresh fragment only when something changed, keeping keyboard focus where it was.
function swap (target, fresh, fallback) {
  if (!fresh || fresh.outerHTML === target.outerHTML) return false
  const where = focusWithin(target)
  target.replaceWith(fresh)
  if (where) refocus(fresh, where, fallback)
  return true
}

// A live region repeats itself only when its text changes: empty it first so the same words are said again.
function announce (region, text) {
  if (!region || !text) return
  region.textContent = ''
  setTimeout(() => { region.textContent = text }, 100)
}

// --- The inbox: its rows every 1.5 seconds -----------------------------------------------------------------------
function liveRows (table) {
  const updated = document.querySelector('[data-live-updated]')
  const status = document.querySelector('[data-live-status]')
  let failing = false
  every(1500, async () => {
    try {
      const body = table.querySelector('[data-live-body]')
      const before = new Set([...body.querySelectorAll('[data-conversation]')].map((r) => r.dataset.conversation))
      const fresh = parse(await fetchText(table.dataset.source), '[data-live-body]')
      if (swap(body, fresh, table)) {
        const arrived = [...fresh.querySelectorAll('[data-conversation]')].filter((r) => !before.has(r.dataset.conversation)).length
        if (arrived) announce(status, arrived === 1 ? 'A conversation has joined the list' : `${arrived} conversations have joined the list`)
      }
      if (updated) updated.textContent = 'Updated at ' + new Date().toLocaleTimeString('en-GB') + '. This page updates by itself.'
      if (failing) announce(status, 'Updating again')
      failing = false
    } catch (e) {
      if (updated) updated.textContent = 'Could not update: reload the page'
      if (!failing) announce(status, 'Could not update the list: reload the page')
      failing = true
    }
  })
}

// --- A conversation's transcript: new messages as they come, and who sent them said aloud ------------------------
function whoSaid (line) {
  const who = (line.querySelector('strong')?.textContent || '').trim()
  if (line.classList.contains('app-transcript__line--in')) return { key: 'in', who: 'the person' }
  if (line.classList.contains('app-transcript__line--staff')) return { key: `staff:${who}`, who: who || 'A practitioner' }
  return { key: 'bot', who: 'The assistant' }
}

function describeNew (lines) {
  const groups = new Map()
  for (const line of lines) {
    const said = whoSaid(line)
    const group = groups.get(said.key) || { ...said, n: 0 }
    group.n += 1
    groups.set(said.key, group)
  }
  return [...groups.values()].map(({ key, who, n }) => {
    if (key === 'in') return n === 1 ? `New message from ${who}` : `${n} new messages from ${who}`
    if (key === 'bot') return n === 1 ? 'The assistant replied' : `The assistant sent ${n} messages`
    return n === 1 ? `${who} sent a message` : `${who} sent ${n} messages`
  }).join('. ') + '.'
}

function liveTranscript (holder) {
  const status = holder.querySelector('[data-transcript-status]')
  const lineKey = (line) => line.dataset.message || line.id
  every(2000, async () => {
    try {
      const list = holder.querySelector('[data-transcript]')
      const before = new Set([...list.querySelectorAll('li')].map(lineKey))
      const fresh = parse(await fetchText(holder.dataset.source), '[data-transcript]')
      if (swap(list, fresh, null)) {
        const added = [...fresh.querySelectorAll('li')].filter((line) => !before.has(lineKey(line)))
        if (added.length) announce(status, describeNew(added))
      }
    } catch (e) { /* the next tick tries again */ }
  })
}

// --- Every workspace page: danger conversations waiting for a person -----------------------------------------------
// The server renders the alert (so it shows without JavaScript); this keeps it true, and touches it only when the
// count or the newest conversation changes: role="alert" reads out every change.
function dangerAlert (alert) {
  every(3000, async () => {
    try {
      const response = await fetch(alert.dataset.source, { credentials: 'same-origin', cache: 'no-store' })
      if (!response.ok) return
      const data = await response.json()
      const count = Number(data.danger_waiting) || 0
      const newest = count > 0 ? String(data.newest || '') : ''
      const before = Number(alert.dataset.count) || 0
      if (count === before && newest === (alert.dataset.newest || '')) return
      // Another conversation has become the newest while the count held: words that say so, not the same again.
      const another = before > 0 && count >= before && newest !== alert.dataset.newest
      alert.dataset.count = String(count)
      alert.dataset.newest = newest
      if (count === 0) {
        alert.hidden = true
        alert.replaceChildren()
        return
      }
      const p = document.createElement('p')
      p.className = 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-0'
      const words = document.createElement('span')
      words.dataset.dangerWords = ''
      words.textContent = count === 1
        ? `A${another ? ' new' : ''} danger conversation is waiting for a person.`
        : another ? `A new danger conversation is waiting: ${count} are waiting for a person.` : `${count} danger conversations are waiting for a person.`
      const link = document.createElement('a')
      link.className = 'govuk-link'
      link.dataset.dangerLink = ''
      link.href = data.url
      link.textContent = 'Open the newest'
      p.append(words, ' ', link)
      const focused = alert.contains(document.activeElement)
      alert.replaceChildren(p)
      if (focused) link.focus({ preventScroll: true })
      alert.hidden = false
    } catch (e) { /* the next tick tries again */ }
  })
}

// --- A text reply's count, as the person types -------------------------------------------------------------------
// Like GOV.UK Frontend's character count: the words under the box change at once for the eye; the words a screen
// reader hears (the server's hint, which the box's aria-describedby names) change after a pause in typing.
function smsCounter (textarea) {
  const hint = document.getElementById(textarea.dataset.smsCounter)
  if (!hint) return
  const maxParts = Number(textarea.dataset.maxSegments) || 4
  const serverHint = hint.textContent
  const serverError = textarea.classList.contains('govuk-textarea--error')
  const visible = document.createElement('p')
  visible.className = hint.className
  visible.setAttribute('aria-hidden', 'true')
  visible.textContent = serverHint
  hint.classList.add('govuk-visually-hidden')
  hint.after(visible)
  let timer = null
  const words = () => {
    const counted = measure(textarea.value)
    return counted.units ? describeCount(counted, maxParts) : { over: false, text: serverHint }
  }
  const show = () => {
    const { over, text } = words()
    visible.textContent = text
    visible.classList.toggle('govuk-hint', !over)
    visible.classList.toggle('govuk-error-message', over)
    if (!serverError) textarea.classList.toggle('govuk-textarea--error', over)
    clearTimeout(timer)
    timer = setTimeout(() => { if (hint.textContent !== text) hint.textContent = text }, 1000)
  }
  textarea.addEventListener('input', show)
  if (textarea.value.trim()) show()
}

function start () {
  for (const table of document.querySelectorAll('[data-module="app-live-rows"]')) liveRows(table)
  for (const holder of document.querySelectorAll('[data-module="app-live-transcript"]')) liveTranscript(holder)
  for (const alert of document.querySelectorAll('[data-module="app-danger-alert"]')) dangerAlert(alert)
  for (const textarea of document.querySelectorAll('textarea[data-sms-counter]')) smsCounter(textarea)
}

if (globalThis.document) start() // tests/test_conversation_frontend.py imports the counting above in Node
