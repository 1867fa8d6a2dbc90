// The workspace without reloads (issue 13). Every page works without this: reload and the server shows the same.
// Server-rendered fragments only (escaped by the templates); nothing here builds HTML from data.

const every = (ms, fn) => { fn(); return setInterval(fn, ms) }

async function fetchText (url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' }, cache: 'no-store' })
  if (!response.ok) throw new Error(String(response.status))
  return response.text()
}

function swap (target, html, selector) {
  const fresh = new DOMParser().parseFromString(`<table>${html}</table>`, 'text/html').querySelector(selector) ||
    new DOMParser().parseFromString(html, 'text/html').querySelector(selector)
  if (fresh && fresh.innerHTML !== target.innerHTML) target.replaceWith(fresh)
  return fresh
}

// The inbox: its rows every 1.5 seconds.
for (const table of document.querySelectorAll('[data-module="app-live-rows"]')) {
  const status = document.querySelector('[data-live-status]')
  every(1500, async () => {
    try {
      const body = table.querySelector('[data-live-body]')
      swap(body, await fetchText(table.dataset.source), '[data-live-body]')
      if (status) status.textContent = 'Updated ' + new Date().toLocaleTimeString('en-GB')
    } catch (e) {
      if (status) status.textContent = 'Could not update: reload the page'
    }
  })
}

// A conversation's transcript: new messages as they come.
for (const holder of document.querySelectorAll('[data-module="app-live-transcript"]')) {
  every(2000, async () => {
    try {
      const list = holder.querySelector('[data-transcript]')
      swap(list, await fetchText(holder.dataset.source), '[data-transcript]')
    } catch (e) { /* the next tick tries again */ }
  })
}

// Every workspace page: a danger conversation waiting for a person is announced.
for (const alert of document.querySelectorAll('[data-module="app-danger-alert"]')) {
  every(3000, async () => {
    try {
      const response = await fetch(alert.dataset.source, { credentials: 'same-origin', cache: 'no-store' })
      if (!response.ok) return
      const data = await response.json()
      if (data.danger_waiting > 0) {
        const words = data.danger_waiting === 1 ? 'A danger conversation is' : `${data.danger_waiting} danger conversations are`
        const text = `${words} waiting for a person.`
        if (alert.dataset.newest !== data.newest) {
          alert.replaceChildren()
          const p = document.createElement('p')
          p.className = 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-0'
          p.append(text + ' ')
          const link = document.createElement('a')
          link.className = 'govuk-link'
          link.href = data.url
          link.textContent = 'Open the newest'
          p.append(link)
          alert.append(p)
          alert.dataset.newest = data.newest
        }
        alert.hidden = false
      } else {
        alert.hidden = true
        alert.dataset.newest = ''
      }
    } catch (e) { /* the next tick tries again */ }
  })
}
