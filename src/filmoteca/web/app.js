// filmoteca: the web page at /app. Plain JavaScript, no build step, no external resources.
// Client-side routes live in the URL hash (#/pelicula/19995, #/persona/Tom%20Hanks, ...), so
// every page is linkable. Every figure comes from the JSON API served by the same server.
"use strict";

(() => {
  // ---------------------------------------------------------------- helpers

  const $ = (selector, root = document) => root.querySelector(selector);
  const main = $("#contenido");
  const status = $("#estado");
  const LIKES_KEY = "filmoteca.megustaron";
  const MIN_QUERY = 2;
  const MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
    "septiembre", "octubre", "noviembre", "diciembre"];
  const WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"];
  const GENRES = {
    "Action": "Acción", "Adventure": "Aventura", "Animation": "Animación", "Comedy": "Comedia",
    "Crime": "Crimen", "Documentary": "Documental", "Drama": "Drama", "Family": "Familiar",
    "Fantasy": "Fantasía", "Foreign": "Extranjera", "History": "Historia", "Horror": "Terror",
    "Music": "Música", "Mystery": "Misterio", "Romance": "Romance",
    "Science Fiction": "Ciencia ficción", "TV Movie": "Película de TV", "Thriller": "Suspense",
    "War": "Bélica", "Western": "Wéstern",
  };

  // One helper each for counts, decimals, money and dates: the same rules as the report's
  // (filmoteca.formats): "4.802", "7,2", "12,3 M US$", "2 dic 2026".
  const integer = new Intl.NumberFormat("es-ES", { useGrouping: "always", maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat("es-ES", { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: "always" });
  const ratio = new Intl.NumberFormat("es-ES", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" });
  const SHORT_MONTHS = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"];
  const fmt = {
    count: (value) => integer.format(value),
    /** US dollars: "850.000 US$" below a million, "12,3 M US$" from a million (also billions). */
    money(value) {
      if (!Number.isFinite(value)) return "sin dato";
      const sign = value < 0 ? "−" : "";
      const size = Math.abs(value);
      if (size >= 1e6) return `${sign}${decimal.format(size / 1e6).replace(/,0$/, "")} M US$`;
      return `${sign}${integer.format(size)} US$`;
    },
    /** "2 dic 2026" from an ISO date (or date-time) string. */
    date(iso) {
      const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
      if (!match) return "sin fecha";
      return `${Number(match[3])} ${SHORT_MONTHS[Number(match[2]) - 1]} ${match[1]}`;
    },
  };
  let languageNames = null;
  try {
    languageNames = new Intl.DisplayNames(["es"], { type: "language" });
  } catch (_error) {
    languageNames = null;
  }

  /** Build an element: h("a", {href: "#/"}, "texto", otherNode). Text is never parsed as HTML. */
  function h(tag, attrs, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") element.className = value;
      else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
      else element.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  /** Build an SVG element with attributes. */
  function s(tag, attrs, ...children) {
    const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) element.setAttribute(key, String(value));
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  /** Replace an element's children, skipping empty slots. */
  const fill = (element, ...nodes) => element.replaceChildren(...nodes.flat(Infinity).filter((node) => node !== null && node !== undefined && node !== false));

  const announce = (text) => {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 30);
  };
  const movieHref = (id) => `#/pelicula/${id}`;
  const personHref = (name) => `#/persona/${encodeURIComponent(name)}`;
  const genreName = (name) => GENRES[name] || name;
  const languageName = (code) => {
    if (!code) return null;
    try {
      const name = languageNames ? languageNames.of(code) : null;
      return name && name !== code ? name : code;
    } catch (_error) {
      return code;
    }
  };
  const formatMoney = (value) => (value > 0 ? fmt.money(value) : "sin dato");
  const shortMoney = fmt.money;
  const exactMoney = (value) => `${value < 0 ? "−" : ""}${integer.format(Math.abs(value))} US$`;
  const formatReturn = (value, budget) => (budget === undefined || budget > 0 ? `${ratio.format(value)} ×` : "sin dato");
  const formatDate = fmt.date;
  const yearOf = (item) => item.anio ?? (item.fecha_lanzamiento ? Number(item.fecha_lanzamiento.slice(0, 4)) : null);

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, body) {
      super(ApiError.messageOf(status, body));
      this.status = status;
      this.body = body || {};
    }

    static messageOf(status, body) {
      if (body) {
        for (const key of ["mensaje", "detalle", "error", "detail"]) {
          if (typeof body[key] === "string") return body[key];
        }
        if (Array.isArray(body.detail) && body.detail[0] && body.detail[0].msg) return body.detail[0].msg;
      }
      if (status === 0) return "No se pudo contactar con el servidor.";
      return `El servidor respondió con un error (${status}).`;
    }

    get suggestions() {
      const body = this.body;
      return body.sugerencias || (body.detalles && body.detalles.sugerencias) || [];
    }
  }

  /** GET/POST a JSON route; a 503 (the server shedding load) is retried twice, as it asks. */
  async function api(path, options = {}, retries = 2) {
    let response;
    try {
      response = await fetch(path, {
        ...options,
        headers: { Accept: "application/json", ...(options.headers || {}) },
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(0, null);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (_error) {
      body = null;
    }
    if (response.status === 503 && retries > 0 && response.headers.get("retry-after")) {
      const wait = Math.min(3, Number(response.headers.get("retry-after")) || 1);
      await new Promise((resolve) => { window.setTimeout(resolve, wait * 1000); });
      return api(path, options, retries - 1);
    }
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  // ---------------------------------------------------------------- "me gustaron"

  const likes = {
    all() {
      try {
        const stored = JSON.parse(localStorage.getItem(LIKES_KEY) || "[]");
        return Array.isArray(stored) ? stored.filter((item) => Number.isInteger(item.id)) : [];
      } catch (_error) {
        return [];
      }
    },
    save(items) {
      try {
        localStorage.setItem(LIKES_KEY, JSON.stringify(items));
      } catch (_error) {
        // Private mode or full storage: the list lives only for this page.
      }
      likes.cache = items;
      updateLikesCounter();
    },
    has(id) {
      return likes.all().some((item) => item.id === id);
    },
    toggle(movie) {
      const items = likes.all();
      const kept = items.filter((item) => item.id !== movie.id);
      if (kept.length === items.length) kept.push({ id: movie.id, titulo: movie.titulo, anio: movie.anio ?? null });
      likes.save(kept);
      return kept.length > items.length;
    },
    remove(id) {
      likes.save(likes.all().filter((item) => item.id !== id));
    },
  };

  function updateLikesCounter() {
    const count = likes.all().length;
    const counter = $("#contador-gustos");
    counter.textContent = String(count);
    $("#enlace-gustos").setAttribute("aria-label", `Me gustaron: ${count} película${count === 1 ? "" : "s"}`);
  }

  // ---------------------------------------------------------------- search box (combobox)

  const search = {
    input: $("#busqueda"),
    list: $("#sugerencias"),
    items: [],
    active: -1,
    timer: 0,
    controller: null,
    cache: new Map(),
    lastQuery: "",
  };

  /** One search hit of /buscar as {kind, label, detail, href}. */
  function toSuggestion(hit) {
    const kind = hit.tipo || hit.kind;
    if (kind === "pelicula" || kind === "película" || kind === "movie" || (hit.id !== undefined && hit.titulo)) {
      const year = hit.anio ?? null;
      return { kind: "pelicula", label: hit.titulo || hit.nombre, detail: year ? String(year) : "película", href: movieHref(hit.id) };
    }
    const name = hit.nombre || hit.titulo;
    const acting = hit.peliculas_como_actor ?? hit.como_actor ?? hit.actor ?? 0;
    const directing = hit.peliculas_como_director ?? hit.como_director ?? hit.director ?? 0;
    const roles = [];
    if (acting) roles.push(`actúa en ${acting}`);
    if (directing) roles.push(`dirige ${directing}`);
    return { kind: "persona", label: name, detail: roles.join(" · ") || "persona", href: personHref(name) };
  }

  function hitsOf(body) {
    if (!body) return [];
    return body.resultados || body.items || body.hits || [];
  }

  function closeSuggestions() {
    search.list.hidden = true;
    search.input.setAttribute("aria-expanded", "false");
    search.input.removeAttribute("aria-activedescendant");
    search.active = -1;
  }

  function setActive(index) {
    const options = search.list.querySelectorAll("[role=option]");
    if (!options.length) return;
    search.active = (index + options.length) % options.length;
    options.forEach((option, i) => option.setAttribute("aria-selected", i === search.active ? "true" : "false"));
    const current = options[search.active];
    search.input.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  }

  function highlight(label, query) {
    const at = label.toLocaleLowerCase("es").indexOf(query.toLocaleLowerCase("es"));
    if (at < 0 || !query) return [label];
    return [label.slice(0, at), h("mark", null, label.slice(at, at + query.length)), label.slice(at + query.length)];
  }

  function showSuggestions(query, items) {
    search.items = items;
    search.list.replaceChildren();
    if (!items.length) {
      search.list.append(h("li", { class: "sugerencia-vacia", role: "presentation" }, `Nada coincide con «${query}».`));
    }
    items.forEach((item, index) => {
      search.list.append(h("li", {
        id: `sugerencia-${index}`,
        role: "option",
        "aria-selected": "false",
        class: `sugerencia sugerencia-${item.kind}`,
        "data-href": item.href,
        onmousedown: (event) => { event.preventDefault(); choose(index); },
      },
      h("span", { class: "sugerencia-tipo", "aria-hidden": "true" }, item.kind === "pelicula" ? "Película" : "Persona"),
      h("span", { class: "sugerencia-texto" }, highlight(item.label, query)),
      h("span", { class: "sugerencia-detalle" }, item.detail)));
    });
    search.list.hidden = false;
    search.input.setAttribute("aria-expanded", "true");
    search.active = -1;
    search.input.removeAttribute("aria-activedescendant");
    announce(items.length ? `${items.length} sugerencia${items.length === 1 ? "" : "s"}. Use las flechas para elegir.` : "Sin sugerencias.");
  }

  async function suggest(query) {
    const key = query.trim();
    if (key.length < MIN_QUERY) { closeSuggestions(); return; }
    if (search.cache.has(key)) { showSuggestions(key, search.cache.get(key)); return; }
    if (search.controller) search.controller.abort();
    search.controller = new AbortController();
    try {
      const body = await api(`/buscar?q=${encodeURIComponent(key)}&limite=8`, { signal: search.controller.signal });
      const items = hitsOf(body).map(toSuggestion);
      search.cache.set(key, items);
      if (search.input.value.trim() === key) showSuggestions(key, items);
    } catch (error) {
      if (error.name !== "AbortError") closeSuggestions();
    }
  }

  function choose(index) {
    const item = search.items[index];
    if (!item) return;
    closeSuggestions();
    search.input.value = item.label;
    navigate(item.href);
  }

  function navigate(href) {
    if (location.hash === href) route();
    else location.hash = href;
  }

  search.input.addEventListener("input", () => {
    window.clearTimeout(search.timer);
    search.timer = window.setTimeout(() => suggest(search.input.value), 90);
  });
  search.input.addEventListener("keydown", (event) => {
    const open = !search.list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) suggest(search.input.value).then(() => setActive(0));
      else setActive(search.active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) setActive(search.active - 1);
    } else if (event.key === "Enter") {
      if (open && search.active >= 0) {
        event.preventDefault();
        choose(search.active);
      }
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); closeSuggestions(); } else search.input.value = "";
    } else if (event.key === "Tab") {
      closeSuggestions();
    }
  });
  search.input.addEventListener("blur", () => window.setTimeout(closeSuggestions, 120));
  $("#buscador").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = search.input.value.trim();
    if (query.length) { closeSuggestions(); navigate(`#/buscar/${encodeURIComponent(query)}`); }
  });

  // ---------------------------------------------------------------- shared pieces

  function pageTitle(text, extra) {
    document.title = `${text} · filmoteca`;
    return h("h1", { tabindex: "-1", class: "titulo-pagina" }, text, extra || null);
  }

  function errorBox(error, what, hrefFor = (name) => `#/buscar/${encodeURIComponent(name)}`) {
    const box = h("div", { class: "aviso aviso-error", role: "alert" },
      h("p", null, error instanceof ApiError ? error.message : `No se pudo cargar ${what}.`));
    const suggestions = error instanceof ApiError ? error.suggestions : [];
    if (suggestions.length) {
      box.append(h("p", null, "Quizá buscaba:"), h("ul", { class: "lista-sugerida" },
        suggestions.map((name) => h("li", null,
          h("a", { href: hrefFor(name) }, name)))));
    }
    return box;
  }

  /** Placeholder hue from the id: the golden angle spreads consecutive ids evenly round the wheel. */
  const hueOf = (id) => Math.round((Number(id) * 137.508) % 360);

  function posterFor(card) {
    const initials = card.titulo.split(/\s+/).filter(Boolean).slice(0, 2).map((word) => word[0]).join("").toUpperCase();
    const frame = h("div", { class: "poster", "data-sin-poster": "" },
      h("div", { class: "poster-marcador", "aria-hidden": "true" },
        h("span", { class: "poster-iniciales" }, initials || "?")));
    frame.style.setProperty("--tono", String(hueOf(card.id)));
    if (card.poster && document.documentElement.dataset.posters === "si") {
      const image = h("img", { src: card.poster, alt: `Póster de ${card.titulo}`, decoding: "async", width: 200, height: 300 });
      image.addEventListener("load", () => frame.removeAttribute("data-sin-poster"));
      image.addEventListener("error", () => image.remove());
      frame.append(image);
    } else {
      frame.setAttribute("role", "img");
      frame.setAttribute("aria-label", "Sin póster");
    }
    return frame;
  }

  const SCORE_LABELS = {
    puntuacion: "puntuación", puntuacion_hibrida: "puntuación", score: "puntuación",
    similitud: "puntuación", afinidad: "afinidad",
  };

  /** The field the list is ordered by: the one the API names, else the first known score whose
   * values never increase down the list. None when no figure agrees with the order. */
  function orderingScore(body, items) {
    const named = body && (body.ordenado_por || body.orden);
    const candidates = named ? [named] : Object.keys(SCORE_LABELS);
    return candidates.find((key) => items.length && items.every((item, i) => typeof item[key] === "number"
      && (i === 0 || item[key] <= items[i - 1][key] + 1e-12))) || null;
  }

  function recommendationList(items, emptyText, body) {
    if (!items.length) return h("p", { class: "vacio" }, emptyText);
    const key = orderingScore(body, items);
    const top = key ? Math.max(...items.map((item) => item[key]), 1e-9) : 1;
    return h("ol", { class: "recomendaciones-lista" }, items.map((item) => {
      const bar = h("span", { class: "similitud-barra", "aria-hidden": "true" });
      bar.style.setProperty("--valor", String(key ? Math.max(0, item[key]) / top : 0));
      return h("li", { class: "recomendacion" },
        h("a", { href: movieHref(item.id), class: "recomendacion-enlace" },
          h("span", { class: "recomendacion-titulo" }, item.titulo),
          item.anio ? h("span", { class: "anio" }, ` (${item.anio})`) : null),
        key ? h("span", { class: "similitud", "data-orden": key, title: "La cifra por la que se ordena la lista (0 a 1)" },
          bar, h("span", { class: "similitud-valor" }, `${SCORE_LABELS[key] || key} ${ratio.format(item[key])}`)) : null,
        (item.motivos || []).length
          ? h("ul", { class: "motivos", "aria-label": "Motivos" }, item.motivos.map((reason) => h("li", null, reason)))
          : null);
    }));
  }

  function likeButton(card) {
    const button = h("button", { type: "button", class: "boton boton-gusto" });
    const paint = () => {
      const on = likes.has(card.id);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      fill(button, h("span", { "aria-hidden": "true", class: "corazon" }, on ? "♥" : "♡"), on ? " Me gustó" : " Marcar «me gustó»");
    };
    button.addEventListener("click", () => {
      const added = likes.toggle(card);
      paint();
      announce(added ? `«${card.titulo}» añadida a «Me gustaron».` : `«${card.titulo}» quitada de «Me gustaron».`);
    });
    paint();
    return button;
  }

  function figure(term, value, note) {
    return h("div", { class: "cifra" },
      h("dt", null, term),
      h("dd", null, value, note ? h("span", { class: "cifra-nota" }, note) : null));
  }

  // ---------------------------------------------------------------- pages

  async function renderMovie(view, id) {
    let card;
    try {
      card = await api(`/pelicula/${id}`);
    } catch (error) {
      if (view.stale()) return;
      view.show(pageTitle("Película no encontrada"), errorBox(error, "la película"), notFoundHelp());
      view.rendered("ficha-no-encontrada");
      return;
    }
    if (view.stale()) return;
    const recommendations = h("section", { class: "recomendaciones", "aria-labelledby": "titulo-recs", "aria-busy": "true" },
      h("h2", { id: "titulo-recs" }, `Si le gustó «${card.titulo}», quizá le gusten`),
      h("p", { class: "cargando" }, "Buscando recomendaciones…"));
    view.show(movieCard(card), recommendations);
    view.rendered("ficha");
    announce(`Ficha de «${card.titulo}».`);
    loadRecommendations(view, card, recommendations);
  }

  /** A way on from a dead end: the most popular films and the home page. */
  function notFoundHelp() {
    const list = h("ul", { class: "resultados lista-sugerida" }, h("li", { class: "cargando" }, "Cargando sugerencias…"));
    api("/descubrir?orden=popularidad&limite=5").then((body) => {
      fill(list, (body.resultados || []).map((movie) => h("li", null, h("a", { href: movieHref(movie.id) }, movie.titulo),
        movie.anio ? h("span", { class: "detalle" }, String(movie.anio)) : null)));
    }).catch(() => list.remove());
    return h("section", { class: "bloque", "aria-labelledby": "titulo-ayuda" },
      h("h2", { id: "titulo-ayuda" }, "Puede seguir por aquí"),
      h("p", null, h("a", { href: "#/" }, "Volver al inicio"), " · ", h("a", { href: "#/descubrir" }, "Explorar el catálogo"),
        " · o busque un título en la caja de arriba."),
      h("p", null, "Las más populares del catálogo:"), list);
  }

  function audienceFigures(card) {
    const votes = card.votos || {};
    const minimum = integer.format(votes.minimo || 2000);
    const figures = [];
    if (votes.cumple_condicion) {
      figures.push(
        figure("Promedio", `${decimal.format(votes.promedio)} / 10`, `media de ${integer.format(votes.votos)} votos`),
        figure("Votos", integer.format(votes.votos), `al menos ${minimum}: el promedio es fiable`));
    } else {
      const count = Number.isInteger(votes.votos) ? integer.format(votes.votos) : null;
      const rule = figure("Votos", count ?? "menos de " + minimum,
        `Con menos de ${minimum} votos, un promedio depende de pocas opiniones; por eso no se muestra.`);
      rule.classList.add("cifra-regla");
      figures.push(rule);
    }
    figures.push(figure("Popularidad", decimal.format(card.popularidad), "actividad en TMDB, no una nota"));
    return h("dl", { class: "cifras", "aria-label": "Público" }, figures);
  }

  function moneyFigures(card) {
    const budgeted = card.presupuesto > 0;
    const amount = (term, value, note) => (value > 0
      ? figure(term, shortMoney(value), exactMoney(value))
      : figure(term, "sin dato", note));
    const profit = card.ganancia ?? card.recaudacion - card.presupuesto;
    return h("dl", { class: "cifras", "aria-label": "Taquilla" },
      amount("Presupuesto", card.presupuesto),
      amount("Recaudación", card.recaudacion),
      budgeted && card.recaudacion > 0
        ? figure("Ganancia", shortMoney(profit), exactMoney(profit))
        : figure("Ganancia", "sin dato", "recaudación − presupuesto"),
      figure("Retorno", formatReturn(card.retorno, card.presupuesto), budgeted ? "recaudación / presupuesto" : "sin presupuesto no hay retorno"));
  }

  function peopleLinks(names) {
    if (!names || !names.length) return ["sin dato"];
    return names.flatMap((name, i) => [i ? ", " : null, h("a", { href: personHref(name) }, name)]);
  }

  function movieCard(card) {
    const details = [
      card.fecha_lanzamiento ? `Estreno: ${formatDate(card.fecha_lanzamiento)}` : null,
      card.duracion_minutos ? `${integer.format(Math.round(card.duracion_minutos))} min` : null,
      card.idioma_original ? `idioma original: ${languageName(card.idioma_original)}` : null,
    ].filter(Boolean);
    const title = pageTitle(card.titulo, card.anio ? h("span", { class: "anio" }, ` (${card.anio})`) : null);
    title.id = "titulo-ficha";
    return h("article", { class: "ficha", "aria-labelledby": "titulo-ficha" },
      h("div", { class: "ficha-cabecera" },
        posterFor(card),
        h("div", { class: "ficha-titulos" },
          card.coleccion ? h("p", { class: "ficha-coleccion" }, card.coleccion) : null,
          title,
          card.titulo_original && card.titulo_original !== card.titulo
            ? h("p", { class: "ficha-original" }, "Título original: ", h("span", { lang: card.idioma_original || null }, card.titulo_original))
            : null,
          details.length ? h("p", { class: "ficha-detalles" }, details.join(" · ")) : null,
          card.generos && card.generos.length
            ? h("ul", { class: "generos", "aria-label": "Géneros" }, card.generos.map((genre) => h("li", null, genreName(genre))))
            : null,
          h("div", { class: "ficha-acciones" }, likeButton(card)))),
      h("div", { class: "ficha-cuerpo" },
        audienceFigures(card),
        moneyFigures(card),
        card.lema ? h("p", { class: "ficha-lema", lang: "en" }, card.lema) : null,
        card.sinopsis ? h("p", { class: "ficha-sinopsis", lang: "en" }, card.sinopsis) : null,
        h("p", { class: "ficha-direccion" }, h("strong", null, "Dirección: "), peopleLinks(card.direccion)),
        card.reparto && card.reparto.length
          ? h("div", { class: "reparto" }, h("h2", null, "Reparto principal"),
            h("ul", null, card.reparto.map((credit) => h("li", null,
              h("a", { href: personHref(credit.nombre) }, credit.nombre),
              credit.personaje ? h("span", { class: "personaje" }, credit.personaje) : null))))
          : h("p", { class: "vacio" }, "El catálogo no tiene el reparto de esta película.")));
  }

  async function loadRecommendations(view, card, section) {
    let body;
    try {
      body = await itemRecommendations(card);
    } catch (error) {
      if (view.stale()) return;
      section.removeAttribute("aria-busy");
      fill(section, section.firstChild, errorBox(error, "las recomendaciones"));
      return;
    }
    if (view.stale()) return;
    const items = (body.recomendaciones || []).filter((item) => item.id !== card.id);
    fill(section, section.firstChild, recommendationList(items, "No hay recomendaciones para esta película.", body));
    section.removeAttribute("aria-busy");
    view.rendered("recomendaciones");
    announce(`${items.length} recomendaciones para «${card.titulo}».`);
  }

  /** Item-to-item recommendations: by title and year, or by id when the title is ambiguous. */
  async function itemRecommendations(card) {
    const byId = () => api("/recomendacion", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ids: [card.id] }),
    });
    if (!card.titulo.trim()) return byId();
    const year = card.anio ? `?anio=${card.anio}` : "";
    try {
      const body = await api(`/recomendacion/${encodeURIComponent(card.titulo)}${year}`);
      if (body.id !== undefined && body.id !== card.id) return byId();
      return body;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && error.body && !error.suggestions.length) return byId();
      throw error;
    }
  }

  async function renderPerson(view, name) {
    let person;
    try {
      person = await api(`/persona/${encodeURIComponent(name)}`);
    } catch (error) {
      if (view.stale()) return;
      view.show(pageTitle("Persona no encontrada"), errorBox(error, "la persona", personHref), notFoundHelp());
      return;
    }
    if (view.stale()) return;
    const roles = [];
    const films = (n) => `${integer.format(n)} película${n === 1 ? "" : "s"}`;
    if (person.actor) roles.push(`intérprete en ${films(person.actor.cantidad_peliculas)}`);
    if (person.director) roles.push(`director/a de ${films(person.director.cantidad_peliculas)}`);
    view.show(
      h("div", { class: "persona-cabecera" },
        h("div", { class: "avatar", "aria-hidden": "true" }, person.nombre.split(/\s+/).slice(0, 2).map((w) => w[0]).join("")),
        h("div", null, pageTitle(person.nombre), h("p", { class: "persona-roles" }, roles.join(" · ")))),
      person.actor ? roleSection("actor", "Como intérprete", person.actor, person.peliculas_como_actor || [], true) : null,
      person.director ? roleSection("director", "Como director/a", person.director, person.director.peliculas || [], false) : null);
    view.rendered("persona");
    announce(`Página de ${person.nombre}.`);
  }

  /** The two return figures: the API's rule (over every film) and the mean over films with a budget. */
  function returnFigures(stats, films) {
    const budgeted = films.filter((film) => film.costo > 0);
    const mean = budgeted.length ? budgeted.reduce((sum, film) => sum + film.retorno, 0) / budgeted.length : null;
    return [
      figure("Retorno medio (con presupuesto)", mean === null ? "sin dato" : `${ratio.format(mean)} ×`,
        `recaudación / presupuesto, media de ${filmsText(budgeted.length)}`),
      figure("Retorno según la API", `${ratio.format(stats.retorno_promedio)} ×`,
        `la regla de la API: entre todas sus películas (${filmsText(films.length)}); sin presupuesto cuentan 0`),
    ];
    function filmsText(n) { return `${integer.format(n)} película${n === 1 ? "" : "s"}`; }
  }

  function roleSection(key, heading, stats, films, acting) {
    const withBudget = films.filter((film) => film.costo > 0).length;
    return h("section", { class: "bloque", "aria-labelledby": `titulo-${key}` },
      h("h2", { id: `titulo-${key}` }, heading),
      h("dl", { class: "cifras cifras-mision" },
        figure("Películas", integer.format(stats.cantidad_peliculas), `${integer.format(withBudget)} con presupuesto conocido`),
        returnFigures(stats, films)),
      filmsTable(films, acting));
  }

  function filmsTable(films, acting) {
    if (!films.length) return h("p", { class: "vacio" }, "Sin películas.");
    const best = Math.max(...films.map((film) => film.retorno || 0), 0);
    const cell = (label, attrs, ...content) => h("td", { ...attrs, "data-etiqueta": label }, ...content);
    const rows = films.map((film) => {
      const bar = h("span", { class: "barra-retorno", "aria-hidden": "true" });
      bar.style.setProperty("--valor", String(best > 0 ? (film.retorno || 0) / best : 0));
      return h("tr", null,
        cell("Estreno", { class: "fecha" }, film.fecha_lanzamiento
          ? h("time", { datetime: film.fecha_lanzamiento }, formatDate(film.fecha_lanzamiento)) : (yearOf(film) ?? "")),
        h("th", { scope: "row" }, h("a", { href: movieHref(film.id) }, film.titulo)),
        acting ? cell("Personaje", { class: "personaje-celda" }, film.personaje || "—") : null,
        cell("Presupuesto", { class: "num" }, formatMoney(film.costo)),
        cell("Recaudación", { class: "num" }, formatMoney(film.recaudacion)),
        acting ? null : cell("Ganancia", { class: film.costo > 0 && film.ganancia < 0 ? "num negativo" : "num" },
          film.costo > 0 && film.recaudacion > 0 ? shortMoney(film.ganancia) : "sin dato"),
        cell("Retorno", { class: "num celda-retorno" }, bar, formatReturn(film.retorno, film.costo)));
    });
    return h("div", { class: "tabla-desplazable", tabindex: "0", role: "region", "aria-label": acting ? "Películas como intérprete" : "Películas como director/a" },
      h("table", { class: "tabla tabla-fluida" },
        h("thead", null, h("tr", null,
          h("th", { scope: "col" }, "Estreno"),
          h("th", { scope: "col" }, "Película"),
          acting ? h("th", { scope: "col" }, "Personaje") : null,
          h("th", { scope: "col", class: "num" }, "Presupuesto"),
          h("th", { scope: "col", class: "num" }, "Recaudación"),
          acting ? null : h("th", { scope: "col", class: "num" }, "Ganancia"),
          h("th", { scope: "col", class: "num" }, "Retorno"))),
        h("tbody", null, rows)));
  }

  async function renderLikes(view) {
    const items = likes.all();
    const results = h("section", { class: "recomendaciones", "aria-labelledby": "titulo-personal" },
      h("h2", { id: "titulo-personal" }, "Recomendaciones para usted"));
    const list = items.length
      ? h("ul", { class: "gustos" }, items.map((item) => h("li", null,
        h("a", { href: movieHref(item.id) }, item.titulo), item.anio ? h("span", { class: "anio" }, ` (${item.anio})`) : null,
        h("button", {
          type: "button", class: "boton boton-quitar", "aria-label": `Quitar «${item.titulo}» de la lista`,
          onclick: () => { likes.remove(item.id); announce(`«${item.titulo}» quitada.`); route(); },
        }, "Quitar"))))
      : h("p", { class: "vacio" }, "Todavía no hay ninguna película en la lista. Abra la ficha de una película y pulse «Marcar “me gustó”».");
    const filters = hashParams();
    const form = items.length ? recommendationFilters(filters) : null;
    view.show(pageTitle("Me gustaron"),
      h("p", { class: "introduccion" }, "Las películas que marque aquí se guardan en este navegador. Con ellas, el recomendador busca películas parecidas a todas a la vez."),
      list,
      items.length ? h("div", { class: "acciones-gustos" },
        h("button", { type: "button", class: "boton boton-secundario", onclick: () => { likes.save([]); route(); } }, "Vaciar la lista")) : null,
      form, items.length ? results : null);
    view.rendered("me-gustaron");
    if (!items.length) return;
    results.setAttribute("aria-busy", "true");
    results.append(h("p", { class: "cargando" }, "Buscando recomendaciones…"));
    try {
      const query = new URLSearchParams({ k: "10" });
      for (const key of ["desde", "hasta", "min_votos", "idioma"]) if (filters.get(key)) query.set(key, filters.get(key));
      const body = await api(`/recomendacion?${query}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ids: items.map((item) => item.id) }),
      });
      if (view.stale()) return;
      const missing = body.no_encontrados || [];
      fill(results, results.firstChild,
        recommendationList(body.recomendaciones || [], "El recomendador no encontró nada parecido.", body),
        missing.length ? h("p", { class: "aviso" }, `No están en el catálogo: ${missing.join(", ")}.`) : null);
      announce(`${(body.recomendaciones || []).length} recomendaciones personalizadas.`);
    } catch (error) {
      if (view.stale()) return;
      fill(results, results.firstChild, errorBox(error, "las recomendaciones"));
    }
    results.removeAttribute("aria-busy");
  }

  /** Filters the recommender supports (years, votes, original language), kept in the URL. */
  function recommendationFilters(params) {
    const form = h("form", { class: "filtros", "aria-label": "Filtrar las recomendaciones" },
      field("Desde (año)", "desde", params.get("desde"), { min: 1870, max: 2100 }),
      field("Hasta (año)", "hasta", params.get("hasta"), { min: 1870, max: 2100 }),
      field("Votos mínimos", "min_votos", params.get("min_votos"), { min: 0 }),
      field("Idioma original", "idioma", params.get("idioma") || "", {}, [["", "Cualquiera"], ...["en", "es", "fr", "it", "de", "ja", "ko", "zh", "hi", "pt"].map((code) => [code, languageName(code)])]),
      h("button", { type: "submit", class: "boton" }, "Filtrar"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      for (const [key, value] of new FormData(form)) if (String(value).trim()) next.set(key, String(value).trim());
      navigate(`#/me-gustaron${next.toString() ? `?${next}` : ""}`);
    });
    return form;
  }

  async function renderSearch(view, query) {
    const page = Number(new URLSearchParams(location.hash.split("?")[1] || "").get("pagina")) || 1;
    const cleanQuery = query.split("?")[0];
    let body;
    try {
      body = await api(`/buscar?q=${encodeURIComponent(cleanQuery)}&limite=20&pagina=${page}`);
    } catch (error) {
      if (view.stale()) return;
      view.show(pageTitle(`Buscar «${cleanQuery}»`), errorBox(error, "la búsqueda"));
      return;
    }
    if (view.stale()) return;
    const hits = hitsOf(body).map(toSuggestion);
    const total = body.total ?? hits.length;
    const pages = Math.max(1, Math.ceil(total / 20));
    const base = `#/buscar/${encodeURIComponent(cleanQuery)}`;
    view.show(pageTitle(`Resultados para «${cleanQuery}»`),
      h("p", { class: "introduccion" }, `${integer.format(total)} resultado${total === 1 ? "" : "s"}.`),
      hits.length
        ? h("ul", { class: "resultados" }, hits.map((hit) => h("li", null,
          h("span", { class: `etiqueta etiqueta-${hit.kind}` }, hit.kind === "pelicula" ? "Película" : "Persona"),
          h("a", { href: hit.href }, hit.label), h("span", { class: "detalle" }, hit.detail))))
        : h("p", { class: "vacio" }, "Ningún título ni nombre contiene ese texto."),
      pages > 1 ? h("nav", { class: "paginacion", "aria-label": "Páginas de resultados" },
        page > 1 ? h("a", { href: `${base}?pagina=${page - 1}` }, "← Anterior") : null,
        h("span", null, `Página ${page} de ${pages}`),
        page < pages ? h("a", { href: `${base}?pagina=${page + 1}` }, "Siguiente →") : null) : null);
    view.rendered("buscar");
    announce(`${total} resultados para ${cleanQuery}.`);
  }

  const DECADES = [1930, 1940, 1950, 1960, 1970, 1980, 1990, 2000, 2010];
  const ORDER_LABELS = {
    popularidad: "Más populares", votos: "Más votadas", promedio: "Mejor valoradas",
    recientes: "Más recientes", recaudacion: "Más taquilleras",
  };

  /** One movie of a browse list: placeholder thumbnail, title, year and the figure it is ordered by. */
  function browseItem(movie, order) {
    const thumb = h("span", { class: "mini-poster", "aria-hidden": "true" });
    thumb.style.setProperty("--tono", String(hueOf(movie.id)));
    const figureText = {
      popularidad: `popularidad ${decimal.format(movie.popularidad)}`,
      votos: `${integer.format(movie.votos)} votos`,
      promedio: movie.promedio === null ? `${integer.format(movie.votos)} votos` : `promedio ${decimal.format(movie.promedio)} · ${integer.format(movie.votos)} votos`,
      recientes: movie.anio ? String(movie.anio) : "sin fecha",
      recaudacion: movie.recaudacion > 0 ? `recaudó ${fmt.money(movie.recaudacion)}` : "recaudación sin dato",
    }[order];
    return h("li", null, thumb, h("span", null,
      h("a", { href: movieHref(movie.id) }, movie.titulo), movie.anio && order !== "recientes" ? h("span", { class: "anio" }, ` (${movie.anio})`) : null,
      h("span", { class: "pelicula-cifra" }, figureText)));
  }

  function browseList(body, order) {
    const items = body.resultados || [];
    if (!items.length) return h("p", { class: "vacio" }, "Ninguna película cumple estos filtros.");
    return h("ol", { class: "lista-peliculas" }, items.map((movie) => browseItem(movie, order)));
  }

  /** A home block showing a page of /descubrir (already fetched: one render, no shifts). */
  function browseBlock(id, heading, pending, order, moreHref) {
    const body = pending.ok ? browseList(pending.value, order) : errorBox(pending.error, "la lista");
    return h("section", { class: "bloque", "aria-labelledby": id },
      h("div", { class: "seccion-titulo" }, h("h2", { id }, heading), h("a", { href: moreHref }, "Ver más")), body);
  }

  const settle = (promise) => promise.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }));

  async function renderHome(view) {
    const [rated, popular, genreList, info] = await Promise.all([
      settle(api("/descubrir?orden=promedio&limite=8")),
      settle(api("/descubrir?orden=popularidad&limite=8")),
      settle(api("/generos")),
      catalogInfo,
    ]);
    if (view.stale()) return;
    const summary = h("p", { class: "introduccion" }, "Busque una película por su título, o a una persona por su nombre, en la caja de arriba, o explore el catálogo.");
    const genres = genreList.ok ? h("ul", { class: "chips", "aria-label": "Géneros" }, (genreList.value.generos || []).map((genre) => h("li", null,
      h("a", { href: `#/descubrir?genero=${encodeURIComponent(genre.nombre)}&orden=votos` }, genreName(genre.nombre))))) : null;
    const monthChart = h("figure", { class: "grafico", "aria-busy": "true" },
      h("figcaption", { id: "grafico-meses" }, "Estrenos por mes (todos los años)"), h("p", { class: "cargando" }, "Cargando…"));
    const weekdayChart = h("figure", { class: "grafico", "aria-busy": "true" },
      h("figcaption", { id: "grafico-dias" }, "Estrenos por día de la semana"), h("p", { class: "cargando" }, "Cargando…"));
    view.show(pageTitle("Películas, cifras y recomendaciones"), summary,
      browseBlock("titulo-valoradas", "Mejor valoradas (al menos 2.000 votos)", rated, "promedio", "#/descubrir?orden=promedio"),
      browseBlock("titulo-populares", "Más populares", popular, "popularidad", "#/descubrir?orden=popularidad"),
      genres ? h("section", { class: "bloque", "aria-labelledby": "titulo-generos" }, h("h2", { id: "titulo-generos" }, "Por género"), genres) : null,
      h("section", { class: "bloque", "aria-labelledby": "titulo-decadas" }, h("h2", { id: "titulo-decadas" }, "Por década"),
        h("ul", { class: "chips", "aria-label": "Décadas" }, DECADES.map((decade) => h("li", null,
          h("a", { href: `#/descubrir?desde=${decade}&hasta=${decade + 9}&orden=votos` }, `Década de ${decade}`))))),
      h("section", { class: "bloque", "aria-labelledby": "titulo-estrenos" },
        h("h2", { id: "titulo-estrenos" }, "¿Cuándo se estrenan las películas?"),
        h("div", { class: "graficos" }, monthChart, weekdayChart)),
      h("p", { class: "bloque" }, "Más cifras del catálogo en el ", h("a", { href: "/reporte" }, "informe exploratorio"), "."));
    if (info) describeCatalog(summary, info);
    view.rendered("inicio");
    const months = Promise.all(MONTHS.map((month) => api(`/cantidad_filmaciones_mes/${month}`)));
    const days = Promise.all(WEEKDAYS.map((day) => api(`/cantidad_filmaciones_dia/${encodeURIComponent(day)}`)));
    fillChart(view, monthChart, months, MONTHS.map((m) => m.slice(0, 3)), MONTHS, "grafico-meses");
    fillChart(view, weekdayChart, days, WEEKDAYS.map((d) => d.slice(0, 3)), WEEKDAYS, "grafico-dias");
  }

  const hashParams = () => new URLSearchParams(location.hash.split("?")[1] || "");

  /** A labelled number input or select of a filter form. */
  function field(label, name, value, attrs = {}, options = null) {
    const control = options
      ? h("select", { name, ...attrs }, options.map(([key, text]) => h("option", { value: key, selected: key === value ? true : null }, text)))
      : h("input", { name, type: "number", inputmode: "numeric", value: value ?? "", ...attrs });
    return h("label", null, label, control);
  }

  async function renderDiscover(view) {
    const params = hashParams();
    const order = ORDER_LABELS[params.get("orden")] ? params.get("orden") : "popularidad";
    const page = Math.max(1, Number(params.get("pagina")) || 1);
    const query = new URLSearchParams({ orden: order, pagina: String(page), limite: "24" });
    for (const key of ["genero", "desde", "hasta", "min_votos"]) if (params.get(key)) query.set(key, params.get(key));
    let genres = [];
    let body;
    try {
      [body, genres] = await Promise.all([api(`/descubrir?${query}`), api("/generos").then((g) => g.generos || []).catch(() => [])]);
    } catch (error) {
      if (view.stale()) return;
      view.show(pageTitle("Explorar el catálogo"), discoverForm(params, order, genres), errorBox(error, "la lista"));
      view.rendered("descubrir");
      return;
    }
    if (view.stale()) return;
    const base = new URLSearchParams(query);
    const pageHref = (n) => { base.set("pagina", String(n)); base.delete("limite"); return `#/descubrir?${base}`; };
    const genre = body.genero ? ` · ${genreName(body.genero)}` : "";
    view.show(pageTitle(`${ORDER_LABELS[order]}${genre}`),
      discoverForm(params, order, genres),
      h("p", { class: "introduccion" }, `${integer.format(body.total)} película${body.total === 1 ? "" : "s"}`,
        body.min_votos ? ` con al menos ${integer.format(body.min_votos)} votos` : "", "."),
      browseList(body, order),
      body.paginas > 1 ? h("nav", { class: "paginacion", "aria-label": "Páginas" },
        page > 1 ? h("a", { href: pageHref(page - 1) }, "← Anterior") : null,
        h("span", null, `Página ${integer.format(page)} de ${integer.format(body.paginas)}`),
        page < body.paginas ? h("a", { href: pageHref(page + 1) }, "Siguiente →") : null) : null);
    view.rendered("descubrir");
    announce(`${body.total} películas.`);
  }

  function discoverForm(params, order, genres) {
    const form = h("form", { class: "filtros", "aria-label": "Filtros" },
      field("Orden", "orden", order, {}, Object.entries(ORDER_LABELS)),
      field("Género", "genero", params.get("genero") || "", {}, [["", "Todos"], ...genres.map((g) => [g.nombre, genreName(g.nombre)])]),
      field("Desde (año)", "desde", params.get("desde"), { min: 1870, max: 2100 }),
      field("Hasta (año)", "hasta", params.get("hasta"), { min: 1870, max: 2100 }),
      field("Votos mínimos", "min_votos", params.get("min_votos"), { min: 0 }),
      h("button", { type: "submit", class: "boton" }, "Aplicar"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      for (const [key, value] of new FormData(form)) if (String(value).trim()) next.set(key, String(value).trim());
      navigate(`#/descubrir?${next}`);
    });
    return form;
  }

  function describeCatalog(summary, body) {
    const counts = body.catalogo || body.conteos || body;
    const movies = counts.peliculas ?? counts.cantidad_peliculas;
    if (movies === undefined) return;
    const parts = [`El catálogo tiene ${integer.format(movies)} películas`];
    const actors = counts.actores ?? counts.cantidad_actores;
    const directors = counts.directores ?? counts.cantidad_directores;
    if (actors !== undefined && directors !== undefined) parts.push(`, ${integer.format(actors)} intérpretes y ${integer.format(directors)} directores`);
    summary.textContent = `${parts.join("")}. Busque una película por su título, o a una persona por su nombre, en la caja de arriba.`;
  }

  /** The footer names the catalog in words: when it was built and how many films it has. */
  function describeFooter(body) {
    if (!body) return;
    const counts = body.catalogo || body;
    const demo = counts.demo ?? (counts.fuente && counts.fuente.demo);
    const parts = [demo ? "catálogo de demostración" : "catálogo"];
    if (counts.construido) parts.push(`del ${fmt.date(counts.construido)}`);
    if (counts.peliculas !== undefined) parts.push(`con ${integer.format(counts.peliculas)} películas`);
    $("#pie-catalogo").textContent = parts.join(" ");
  }

  async function fillChart(view, figureElement, pending, shortLabels, labels, captionId) {
    let values;
    try {
      values = (await pending).map((item) => Number(item.cantidad) || 0);
    } catch (error) {
      if (view.stale()) return;
      fill(figureElement, figureElement.firstChild, errorBox(error, "el gráfico"));
      figureElement.removeAttribute("aria-busy");
      return;
    }
    if (view.stale()) return;
    fill(figureElement, figureElement.firstChild, barChart(values, shortLabels, labels, captionId));
    figureElement.removeAttribute("aria-busy");
    view.rendered(`grafico-${captionId}`);
  }

  /** A small bar chart as inline SVG, with the same figures in a table for screen readers. */
  function barChart(values, shortLabels, labels, captionId) {
    const width = 560;
    const height = 210;
    const top = 22;
    const bottom = 28;
    const gap = 8;
    const max = Math.max(...values, 1);
    const slot = width / values.length;
    const bars = values.map((value, i) => {
      const barHeight = Math.round(((height - top - bottom) * value) / max);
      const x = i * slot + gap / 2;
      const y = height - bottom - barHeight;
      return s("g", { class: value === max ? "barra barra-maxima" : "barra" },
        s("title", null, `${labels[i]}: ${integer.format(value)} películas`),
        s("rect", { x, y, width: slot - gap, height: Math.max(barHeight, 1), rx: 3 }),
        s("text", { x: x + (slot - gap) / 2, y: y - 6, class: "valor", "text-anchor": "middle" }, integer.format(value)),
        s("text", { x: x + (slot - gap) / 2, y: height - 9, class: "etiqueta-eje", "text-anchor": "middle" }, shortLabels[i]));
    });
    const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": captionId, class: "grafico-svg" },
      s("line", { x1: 0, x2: width, y1: height - bottom + 0.5, y2: height - bottom + 0.5, class: "eje" }), bars);
    const table = h("table", { class: "solo-lectores" },
      h("caption", null, document.getElementById(captionId)?.textContent || ""),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "Periodo"), h("th", { scope: "col" }, "Películas"))),
      h("tbody", null, values.map((value, i) => h("tr", null, h("th", { scope: "row" }, labels[i]), h("td", null, integer.format(value))))));
    return h("div", { class: "grafico-cuerpo" }, svg, table);
  }

  function renderNotFound(view) {
    view.show(pageTitle("Página no encontrada"),
      h("p", null, "Esta dirección no corresponde a ninguna página."), notFoundHelp());
    view.rendered("no-encontrada");
  }

  // ---------------------------------------------------------------- router

  const ROUTES = [
    [/^\/?$/, renderHome],
    [/^\/pelicula\/(\d{1,12})\/?$/, renderMovie],
    [/^\/persona\/(.+)$/, renderPerson],
    [/^\/me-gustaron\/?(?:\?.*)?$/, renderLikes],
    [/^\/buscar\/(.+)$/, renderSearch],
    [/^\/descubrir\/?(?:\?.*)?$/, renderDiscover],
  ];
  const metrics = { renders: [] };
  window.filmoteca = { metrics };
  let navigation = 0;
  let firstRoute = true;

  function makeView(token, started, moveFocus) {
    return {
      stale: () => token !== navigation,
      show(...nodes) {
        fill(main, ...nodes.filter(Boolean));
        if (moveFocus) {
          const heading = $("h1", main);
          (heading || main).focus({ preventScroll: false });
        }
        window.scrollTo(0, 0);
      },
      rendered(name) {
        const ms = performance.now() - started;
        metrics.renders.push({ pagina: name, ms: Math.round(ms * 10) / 10, hash: location.hash });
        performance.mark(`filmoteca:${name}`);
      },
    };
  }

  async function route() {
    const token = ++navigation;
    const started = performance.now();
    const path = decodeHash(location.hash);
    const view = makeView(token, started, !firstRoute);
    firstRoute = false;
    main.setAttribute("aria-busy", "true");
    try {
      for (const [pattern, render] of ROUTES) {
        const match = path.match(pattern);
        if (match) {
          await render(view, ...match.slice(1));
          return;
        }
      }
      renderNotFound(view);
    } finally {
      if (!view.stale()) main.removeAttribute("aria-busy");
    }
  }

  function decodeHash(hash) {
    const raw = hash.replace(/^#/, "") || "/";
    try {
      return decodeURIComponent(raw);
    } catch (_error) {
      return raw;
    }
  }

  window.addEventListener("hashchange", route);
  window.addEventListener("storage", (event) => { if (event.key === LIKES_KEY) updateLikesCounter(); });
  const catalogInfo = api("/").catch(() => null);
  catalogInfo.then(describeFooter);
  updateLikesCounter();
  route();
})();
