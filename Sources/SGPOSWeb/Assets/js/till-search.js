// The till's item search (docs/WEB.md, "Till", "Finding an item"): the scan field is an
// ARIA combobox. Typed text with a letter in it (not a scanned barcode) asks the node for
// matching items 150 ms after the last key; the latest answer wins, an older one arriving
// later is dropped. Arrow keys move through the suggestions, Enter or a click adds the one
// chosen; Enter with none chosen leaves the form to add the typed code, so a scanner that
// types a whole SKU and Enter adds it at once, as before.

const debounceMs = 150;
export const suggestionsMax = 8;

/** Whether typed text is worth a search: 2–64 printable ASCII characters with a letter. */
export function searchable(text) {
  return text.length >= 2 && text.length <= 64 && /[A-Za-z]/.test(text) && /^[ -~]+$/.test(text);
}

/**
 * Wires the combobox. `input` is the scan field, `list` the listbox (`<ul role=listbox>`),
 * `status` a live region for the count; `find(q)` resolves to the node's items (or throws),
 * `choose(sku)` adds one. Returns { cancel } — the form's submit calls it: any search under
 * way is forgotten and the list closed.
 */
export function itemSearch({ input, list, status, find, choose }) {
  let timer = null;
  let generation = 0;
  let items = [];
  let active = -1;

  function setActive(index) {
    active = index;
    const options = list.querySelectorAll("[role=option]");
    options.forEach((option, i) => {
      const selected = i === index;
      option.setAttribute("aria-selected", selected ? "true" : "false");
      option.classList.toggle("active", selected);
      if (selected) option.scrollIntoView({ block: "nearest" });
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function close() {
    items = [];
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function tell(text) {
    status.textContent = text;
  }

  function render(found, query) {
    items = found;
    if (found.length === 0) {
      close();
      tell(`No item matches "${query}".`);
      return;
    }
    list.replaceChildren(...found.map((item, index) => {
      const option = document.createElement("li");
      option.id = `sku-option-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.sku = item.sku;
      const parts = [["sku", item.sku], ["category", item.category], ["price", `S$${item.unitPrice}`],
                     ["on-hand", `${item.onHand} on hand`]];
      for (const [name, text] of parts) {
        const span = document.createElement("span");
        span.className = `suggestion-${name}`;
        span.textContent = text;
        option.append(span);
      }
      // mousedown would move the focus out of the scan field (and close the list) first.
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => pick(index));
      return option;
    }));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(-1);
    tell(`${found.length} item${found.length === 1 ? "" : "s"} match${found.length === 1 ? "es" : ""}: `
         + "arrow keys to choose, Enter to add.");
  }

  function pick(index) {
    const item = items[index];
    if (!item) return;
    cancel();
    choose(item.sku);
  }

  function cancel() {
    clearTimeout(timer);
    timer = null;
    generation += 1;
    close();
    tell("");
  }

  async function search(query) {
    const mine = ++generation;
    let found;
    try {
      found = await find(query);
    } catch {
      found = null;  // suggestions are a convenience: a refusal or an absent node shows none
    }
    if (mine !== generation || input.value.trim() !== query) return;  // a later search (or key) wins
    if (document.activeElement !== input) return;  // the cashier has moved on
    if (found === null) { close(); tell(""); return; }
    render(found.slice(0, suggestionsMax), query);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    generation += 1;  // whatever is under way answers for older text
    setActive(-1);
    const query = input.value.trim();
    if (!searchable(query)) { close(); tell(""); return; }
    timer = setTimeout(() => { timer = null; search(query); }, debounceMs);
  });

  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && items.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      setActive(active + 1 >= items.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      setActive(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();  // not the form's submit: the chosen item, not the typed text
      pick(active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation();  // closes the list; it does not empty the basket
      cancel();
    } else if (event.key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", () => close());

  return { cancel };
}
