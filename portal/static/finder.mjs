// "What do you need help with?": a box that narrows the long list of kinds of help as you type.
// Progressive enhancement: without JavaScript the grouped list works on its own. The list is rebuilt from a copy
// of its groups (hiding an <option> does not work in every browser), keeping the chosen value.
const MIN_GROUP_WORDS = 1

function enhance (group) {
  const select = group.querySelector('select')
  if (!select || group.querySelector('.app-category-search__input')) return
  const original = Array.from(select.children).map((node) => node.cloneNode(true))

  const label = document.createElement('label')
  label.className = 'govuk-label'
  label.htmlFor = 'category-search'
  label.textContent = 'Search the list'
  const input = document.createElement('input')
  input.className = 'govuk-input govuk-!-width-two-thirds app-category-search__input'
  input.id = 'category-search'
  input.type = 'search'
  input.autocomplete = 'off'
  input.spellcheck = false
  const status = document.createElement('p')
  status.className = 'govuk-visually-hidden'
  status.setAttribute('aria-live', 'polite')
  select.before(label, input, status)

  input.addEventListener('input', () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean)
    const chosen = select.value
    select.replaceChildren()
    let shown = 0
    for (const node of original) {
      if (node.tagName !== 'OPTGROUP') {
        select.append(node.cloneNode(true)) // "Any kind of help"
        continue
      }
      const heading = node.label.toLowerCase()
      const options = Array.from(node.children).filter((option) => {
        const text = `${heading} ${option.textContent.toLowerCase()}`
        return words.length < MIN_GROUP_WORDS || words.every((word) => text.includes(word))
      })
      if (options.length) {
        const copy = node.cloneNode(false)
        options.forEach((option) => copy.append(option.cloneNode(true)))
        select.append(copy)
        shown += options.length
      }
    }
    select.value = Array.from(select.options).some((o) => o.value === chosen) ? chosen : ''
    status.textContent = words.length ? `${shown} ${shown === 1 ? 'kind' : 'kinds'} of help match` : ''
  })
}

document.querySelectorAll('[data-module="app-category-search"]').forEach(enhance)
