// The search page: the query lives in the URL, every piece of story text goes into
// the page as text (textContent, text nodes), never as markup.
"use strict";

const PAGE = 10;
const FILTERS = ["person", "tag", "place", "since", "until"];
const FACET_LABELS = {people: "People", tags: "Tags", place: "Places", date: "Months"};
const FACET_FILTER = {people: "person", tags: "tag", place: "place"};

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function state() {
  const params = new URLSearchParams(location.search);
  const found = {q: params.get("q") || "", sort: params.get("sort") || "relevance",
                 page: Math.max(1, parseInt(params.get("page") || "1", 10) || 1),
                 story: params.get("story") || ""};
  for (const name of FILTERS) found[name] = params.get(name) || "";
  return found;
}

function urlFor(s) {
  const params = new URLSearchParams();
  if (s.q) params.set("q", s.q);
  for (const name of FILTERS) if (s[name]) params.set(name, s[name]);
  if (s.sort && s.sort !== "relevance") params.set("sort", s.sort);
  if (s.page && s.page > 1) params.set("page", String(s.page));
  if (s.story) params.set("story", s.story);
  const query = params.toString();
  return "/" + (query ? "?" + query : "");
}

function go(s) {
  history.pushState(null, "", urlFor(s));
  render();
}

async function api(path) {
  const response = await fetch(path, {headers: {Accept: "application/json"}});
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    throw new Error((body && body.error) || ("the server answered " + response.status));
  }
  return body;
}

function fillForm(s) {
  $("q").value = s.q;
  for (const name of FILTERS) $(name).value = s[name];
  $("sort").value = s.sort;
  if (FILTERS.some((name) => s[name])) $("more").open = true;
}

function say(text) { $("status").textContent = text; }

function marked(text, spans) {
  // the paragraph as text nodes, the matched words in <mark>
  const out = el("p", null, "text");
  let at = 0;
  for (const [start, end] of (spans || [])) {
    if (start < at || end > text.length) continue;
    out.appendChild(document.createTextNode(text.slice(at, start)));
    out.appendChild(el("mark", text.slice(start, end)));
    at = end;
  }
  out.appendChild(document.createTextNode(text.slice(at)));
  return out;
}

function dateOf(iso) { return iso ? iso.slice(0, 10) : ""; }

function storyLink(s, storyId, headline) {
  const link = el("a", headline || storyId, "headline");
  link.href = urlFor({...s, story: storyId});
  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    go({...s, story: storyId});
  });
  return link;
}

function hitItem(s, hit) {
  const item = el("li");
  item.appendChild(storyLink(s, hit.story_id, hit.headline));
  const meta = [hit.dateline && hit.dateline.raw, dateOf(hit.date),
                "paragraph " + hit.paragraph + " of " + hit.paragraphs].filter(Boolean);
  item.appendChild(el("p", meta.join(" · "), "meta"));
  item.appendChild(marked(hit.text, hit.highlights));
  if (!hit.highlights || hit.highlights.length === 0) {
    item.appendChild(el("p", "Found through related words of the best matches, not your own.", "why"));
  }
  if (hit.people && hit.people.length) item.appendChild(el("p", "People: " + hit.people.join(", "), "meta"));
  return item;
}

function activeFilters(s) {
  const box = $("active");
  box.replaceChildren();
  for (const name of FILTERS) {
    if (!s[name]) continue;
    const button = el("button", name + ": " + s[name] + " ✕");
    button.type = "button";
    button.setAttribute("aria-label", "Remove the filter " + name + " " + s[name]);
    button.addEventListener("click", () => go({...s, [name]: "", page: 1}));
    box.appendChild(button);
  }
}

function facetList(s, facets) {
  const box = $("facets");
  box.replaceChildren();
  for (const [name, values] of Object.entries(facets || {})) {
    if (!values.length) continue;
    box.appendChild(el("h3", FACET_LABELS[name] || name));
    const list = el("ul");
    for (const {value, count} of values) {
      const button = el("button", value + " (" + count + ")");
      button.type = "button";
      button.dataset.facet = name;
      button.dataset.value = value;
      button.addEventListener("click", () => {
        const next = {...s, page: 1};
        if (name === "date") { next.since = value; next.until = value; }
        else next[FACET_FILTER[name]] = value;
        go(next);
      });
      const item = el("li");
      item.appendChild(button);
      list.appendChild(item);
    }
    box.appendChild(list);
  }
}

async function showResults(s) {
  $("story-view").hidden = true;
  if (!s.q) {
    $("results-view").hidden = true;
    say("Type words to search the archive.");
    return;
  }
  say("Searching…");
  const params = new URLSearchParams({q: s.q, limit: String(PAGE),
                                      offset: String((s.page - 1) * PAGE), sort: s.sort});
  for (const name of FILTERS) if (s[name]) params.set(name, s[name]);
  // the facets count every match (slower on a big archive): asked for beside the page
  // of hits, which is shown as soon as it comes
  const counting = new URLSearchParams(params);
  counting.set("limit", "1");
  counting.set("offset", "0");
  counting.set("facets", "people,tags,place,date");
  const facets = api("/api/search?" + counting.toString()).then(
    (answer) => answer.facets, () => ({}));
  let answer;
  try {
    answer = await api("/api/search?" + params.toString());
  } catch (error) {
    $("results-view").hidden = true;
    say(error.message);
    return;
  }
  const list = $("hits");
  list.replaceChildren(...answer.hits.map((hit) => hitItem(s, hit)));
  list.start = (s.page - 1) * PAGE + 1;
  activeFilters(s);
  $("facets").replaceChildren(el("p", "Counting…", "meta"));
  $("previous").disabled = s.page <= 1;
  $("next").disabled = !answer.more;
  $("page-number").textContent = "Page " + s.page;
  $("results-view").hidden = false;
  if (answer.hits.length) {
    say(answer.hits.length + " paragraphs on page " + s.page + " (" + answer.took_ms + " ms)");
  } else {
    say("Nothing matches." + (answer.suggestion ? " Did you mean: " + answer.suggestion + "?" : ""));
  }
  facetList(s, await facets);
}

async function showStory(s) {
  $("results-view").hidden = true;
  say("Opening the story…");
  let story;
  try {
    story = await api("/api/stories/" + encodeURIComponent(s.story).replace(/%2F/g, "/"));
  } catch (error) {
    $("story-view").hidden = true;
    say(error.message);
    return;
  }
  say("");
  $("back").href = urlFor({...s, story: ""});
  const marks = $("story-marks");
  marks.replaceChildren();
  if (story.status === "canceled") marks.appendChild(el("span", "Killed", "badge"));
  else if (story.superseded) marks.appendChild(el("span", "Superseded by a newer version", "badge"));
  $("story-headline").textContent = story.headline || story.story_id;
  const meta = [story.byline && "By " + story.byline, story.dateline && story.dateline.raw,
                dateOf(story.date), "version " + story.version].filter(Boolean);
  $("story-meta").textContent = meta.join(" · ");
  $("story-body").replaceChildren(...story.paragraphs.map((text) => el("p", text)));
  const facts = $("story-facts");
  facts.replaceChildren();
  for (const [label, values] of [["People", story.people], ["Tags", story.tags]]) {
    facts.appendChild(el("dt", label));
    facts.appendChild(el("dd", (values || []).join(", ") || "-"));
  }
  $("story-versions").replaceChildren(...(story.versions || []).map((v) => {
    const mark = v.status === "canceled" ? " (killed)" : v.superseded ? " (superseded)" : " (current)";
    return el("li", "Version " + v.version + mark + ": " + (v.headline || ""));
  }));
  $("story-view").hidden = false;
  $("story-headline").focus();
}

async function render() {
  const s = state();
  const shown = location.search;
  delete document.body.dataset.shown;
  fillForm(s);
  document.title = s.q ? s.q + " – Wire search" : "Wire search";
  await (s.story ? showStory(s) : showResults(s));
  // which address the page now shows (a test, or a script, can wait for it)
  if (location.search === shown) document.body.dataset.shown = shown;
}

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const s = {q: $("q").value.trim(), sort: $("sort").value, page: 1, story: ""};
    for (const name of FILTERS) s[name] = $(name).value.trim();
    go(s);
  });
  $("sort").addEventListener("change", () => {
    if ($("q").value.trim()) $("search").requestSubmit();
  });
  $("previous").addEventListener("click", () => { const s = state(); go({...s, page: s.page - 1}); });
  $("next").addEventListener("click", () => { const s = state(); go({...s, page: s.page + 1}); });
  $("back").addEventListener("click", (event) => {
    event.preventDefault();
    go({...state(), story: ""});
  });
  window.addEventListener("popstate", render);
  render();
});
