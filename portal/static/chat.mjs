// Web chat without reloads (issue 13): a person in our team may reply at any time. Without JavaScript the reply
// shows on refresh or with the next message. The fragment is rendered (and escaped) by the server.
const holder = document.querySelector('[data-module="app-live-chat"]')
if (holder) {
  setInterval(async () => {
    try {
      const response = await fetch(holder.dataset.source, { credentials: 'same-origin', cache: 'no-store' })
      if (!response.ok) return
      const html = await response.text()
      const fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-chat-messages]')
      const current = holder.querySelector('[data-chat-messages]')
      if (fresh && current && fresh.innerHTML !== current.innerHTML) current.replaceWith(fresh)
    } catch (e) { /* the next tick tries again */ }
  }, 3000)
}
