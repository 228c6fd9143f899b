// Scoring one question's answers from the keyboard; every change is saved at once, against
// the value this page showed (409: another grader saved first, and their value is shown).
(function () {
  var body = document.body, token = body.dataset.token, exercise = body.dataset.exercise;
  var points = parseFloat(body.dataset.points);
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.card"));
  var current = -1;

  function shown(value) { return value === null || value === undefined ? "" : String(value); }
  function number(text) { return text === "" ? null : parseFloat(text); }

  function select(i) {
    if (!cards.length) { return; }
    current = Math.max(0, Math.min(cards.length - 1, i));
    cards.forEach(function (card, j) { card.classList.toggle("current", j === current); });
    cards[current].scrollIntoView({block: "center"});
  }

  function progress() {
    var done = cards.filter(function (card) { return card.dataset.score !== ""; }).length;
    document.getElementById("scored").textContent = String(done);
  }

  function say(card, text, kind) {
    var status = card.querySelector(".status");
    status.textContent = text;
    status.className = "status" + (kind ? " " + kind : "");
  }

  function post(path, payload) {
    return fetch(path + "?token=" + encodeURIComponent(token), {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Grader-Token": token,
                "X-Grader-Name": localStorage.getItem("grader-name") || ""},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (data) { return {status: response.status, data: data}; });
    });
  }

  function show(card, held) {
    card.dataset.score = shown(held.score);
    card.dataset.comment = held.comment || "";
    card.querySelector("input.score").value = shown(held.score);
    card.querySelector("textarea.comment").value = held.comment || "";
    card.classList.toggle("scored", held.score !== null);
    progress();
  }

  function answer(card, reply, what) {
    if (reply.status === 200) {
      show(card, reply.data);
      say(card, what + " saved" + (reply.data.grader ? " by " + reply.data.grader : ""), "");
      return true;
    }
    if (reply.status === 409) {
      show(card, reply.data.current);
      say(card, "Not saved: " + reply.data.error + " (now " + (shown(reply.data.current.score) || "no score") +
          "); enter yours again to replace it", "conflict");
    } else {
      say(card, "Not saved: " + (reply.data.error || "error " + reply.status), "error");
    }
    return false;
  }

  function saveScore(card, value) {
    if (value !== null && (isNaN(value) || value < 0 || value > points)) {
      say(card, "A score is between 0 and " + points, "error");
      card.querySelector("input.score").value = card.dataset.score;
      return Promise.resolve(false);
    }
    say(card, "saving…", "");
    return post("/api/score", {exercise: exercise, key: card.dataset.key, score: value,
                               expect: number(card.dataset.score)})
      .then(function (reply) { return answer(card, reply, "score"); });
  }

  function saveComment(card) {
    var text = card.querySelector("textarea.comment").value.trim();
    if (text === card.dataset.comment) { return; }
    say(card, "saving…", "");
    post("/api/comment", {exercise: exercise, key: card.dataset.key, comment: text, expect: card.dataset.comment})
      .then(function (reply) { answer(card, reply, "comment"); });
  }

  cards.forEach(function (card, i) {
    var input = card.querySelector("input.score"), comment = card.querySelector("textarea.comment");
    card.addEventListener("click", function () { if (current !== i) { select(i); } });
    input.addEventListener("change", function () { saveScore(card, number(input.value.trim())); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "Escape") { input.blur(); event.preventDefault(); }
    });
    comment.addEventListener("change", function () { saveComment(card); });
    comment.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || (event.key === "Enter" && (event.ctrlKey || event.metaKey))) {
        comment.blur();
        event.preventDefault();
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || !cards.length ||
        (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA"))) { return; }
    var card = cards[current], key = event.key, value = null;
    if (key === "j" || key === "ArrowDown") { select(current + 1); }
    else if (key === "k" || key === "ArrowUp") { select(current - 1); }
    else if (key === "c") { card.querySelector("textarea.comment").focus(); }
    else if (/^[0-9]$/.test(key) || key === "f" || key === "h" || key === "x") {
      value = key === "f" ? points : key === "h" ? points / 2 : key === "x" ? null : parseInt(key, 10);
      saveScore(card, value).then(function (saved) { if (saved && value !== null && card === cards[current]) { select(current + 1); } });
    } else { return; }
    event.preventDefault();
  });

  var blanks = document.getElementById("score-blanks");
  if (blanks) {
    blanks.addEventListener("click", function () {
      post("/api/blanks", {exercise: exercise}).then(function (reply) {
        var status = document.getElementById("blanks-status");
        if (reply.status === 200) {
          status.textContent = reply.data.scored + " blank answer" + (reply.data.scored === 1 ? "" : "s") + " now score 0";
          blanks.disabled = true;
        } else {
          status.textContent = "Not saved: " + (reply.data.error || "error " + reply.status);
        }
      });
    });
  }

  var first = cards.findIndex(function (card) { return card.dataset.score === ""; });
  select(first < 0 ? 0 : first);
  progress();
})();
