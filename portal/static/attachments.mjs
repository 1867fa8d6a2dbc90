// Issue 16. Progressive enhancement only: without JavaScript the body map is chosen from the list of places,
// and the copy is printed with the browser's own print command.

// The body map: a select on the outline adds a numbered mark there, with a note of its own.
for (const root of document.querySelectorAll('[data-module="app-body-map"]')) {
  const list = root.querySelector('.app-body-map__list')
  const field = root.querySelector('input[name="body_map_marks"]')
  const form = root.closest('form')
  const marks = []
  const svgNS = 'http://www.w3.org/2000/svg'

  const render = () => {
    list.replaceChildren()
    for (const group of root.querySelectorAll('.app-body-map__marks')) group.replaceChildren()
    marks.forEach((mark, i) => {
      const figure = root.querySelector(`svg[data-side="${mark.side}"] .app-body-map__marks`)
      const dot = document.createElementNS(svgNS, 'circle')
      dot.setAttribute('class', 'app-body-map__mark')
      dot.setAttribute('cx', mark.x)
      dot.setAttribute('cy', mark.y * 2.2)
      dot.setAttribute('r', 3.5)
      const number = document.createElementNS(svgNS, 'text')
      number.setAttribute('class', 'app-body-map__number')
      number.setAttribute('x', mark.x + 4.5)
      number.setAttribute('y', mark.y * 2.2 + 3)
      number.textContent = String(i + 1)
      figure.append(dot, number)

      const item = document.createElement('li')
      const id = `body-map-note-${i + 1}`
      const label = document.createElement('label')
      label.className = 'govuk-label'
      label.htmlFor = id
      label.textContent = `Note for mark ${i + 1}: ${mark.name} (${mark.side})`
      const input = document.createElement('input')
      input.className = 'govuk-input'
      input.id = id
      input.maxLength = 200
      input.value = mark.note
      input.addEventListener('input', () => { mark.note = input.value })
      const remove = document.createElement('button')
      remove.type = 'button'
      remove.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-2 govuk-!-margin-top-1'
      remove.textContent = `Remove mark ${i + 1}`
      remove.addEventListener('click', () => { marks.splice(i, 1); render() })
      item.append(label, input, remove)
      list.append(item)
    })
  }

  const names = {}
  for (const input of document.querySelectorAll('input[name="body_map_regions"]')) {
    const label = document.querySelector(`label[for="${input.id}"]`)
    names[input.value] = label ? label.textContent.trim() : input.value
  }

  for (const svg of root.querySelectorAll('svg[data-side]')) {
    svg.addEventListener('click', (event) => {
      const shape = event.target.closest('[data-region]')
      if (!shape) return
      const point = svg.createSVGPoint()
      point.x = event.clientX
      point.y = event.clientY
      const local = point.matrixTransform(svg.getScreenCTM().inverse())
      const region = shape.dataset.region
      marks.push({ side: svg.dataset.side, region, name: names[region] || region, note: '',
                   x: Math.round(local.x * 10) / 10, y: Math.round((local.y / 2.2) * 10) / 10 })
      render()
      list.querySelector('li:last-child input').focus()
    })
  }
  form.addEventListener('submit', () => {
    field.value = JSON.stringify(marks.map(({ side, region, note, x, y }) => ({ side, region, note, x, y })))
  })
  root.hidden = false
}

// The copy: a print button where a script can press print for you.
for (const button of document.querySelectorAll('.app-print-button')) {
  button.hidden = false
  button.addEventListener('click', () => window.print())
}
