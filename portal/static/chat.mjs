// Web chat without reloads (issue 13): a person in our team may reply at any time. Without JavaScript the reply
// shows on refresh or with the next message. The fragment is rendered (and escaped) by the server.
// Screen readers hear only who wrote something new ("A person in our team has replied"), never the whole
// conversation again: it holds what the person disclosed, and may be read aloud in a room they share.
const holder = document.querySelector('[data-module="app-live-chat"]')
if (holder) {
  const status = holder.querySelector('[data-chat-status]')
  const seen = (root) => new Set([...root.querySelectorAll('[data-message]')].map((li) => li.dataset.message))
  setInterval(async () => {
    try {
      const response = await fetch(holder.dataset.source, { credentials: 'same-origin', cache: 'no-store' })
      if (!response.ok) return
      const html = await response.text()
      const fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-chat-messages]')
      const current = holder.querySelector('[data-chat-messages]')
      if (!fresh || !current || fresh.innerHTML === current.innerHTML) return
      const before = seen(current)
      const added = [...fresh.querySelectorAll('[data-message]')].filter((li) => !before.has(li.dataset.message))
      current.replaceWith(fresh)
      const words = []
      if (added.some((li) => li.classList.contains('fd-chat__message--person'))) words.push('A person in our team has replied.')
      if (added.some((li) => li.classList.contains('fd-chat__message--us'))) words.push('Front Door has replied.')
      if (status && words.length) status.textContent = words.join(' ')
    } catch (e) { /* the next tick tries again */ }
  }, 3000)
}
