// The pipeline board: drag a card to another stage (SortableJS), or use its "Move to stage"
// control; both POST the move, and the server answers the board with new counts and totals.
// Won and lost stages first ask for the closing details; cancelling puts the card back, and
// so does an error (shown in #flash).
(() => {
  let pending = null; // the move being asked about or sent: {url, stageId, forecast, undo, focus}

  function send(move, details) {
    pending = move;
    htmx.ajax("POST", move.url, {
      target: "#board",
      swap: "outerHTML",
      values: { deal_stage_id: move.stageId, ...details },
    });
  }

  function ask(move) {
    const dialog = document.getElementById("close-deal");
    const form = dialog.querySelector("form");
    const lost = move.forecast === "lost";
    form.reset();
    dialog.querySelector("[data-deal-name]").textContent = move.dealName;
    dialog.querySelector("[data-stage-name]").textContent = move.stageName;
    dialog.querySelector("[data-lost-only]").hidden = !lost;
    form.elements.deal_reason_id.disabled = !lost;
    form.elements.closed_date.value = new Date().toLocaleDateString("en-CA"); // yyyy-mm-dd
    pending = move;
    dialog.returnValue = "";
    dialog.showModal();
  }

  function begin(move) {
    if (move.forecast === "won" || move.forecast === "lost") ask(move);
    else send(move, {});
  }

  function cardMove(card, list) {
    const form = card.querySelector("form.move");
    return {
      url: form.action,
      stageId: list.dataset.stageId,
      stageName: list.dataset.stageName,
      forecast: list.dataset.forecast,
      dealName: card.querySelector(".deal-name").textContent,
      focus: null,
      undo: () => {},
    };
  }

  function dropped(event) {
    if (event.from === event.to) return;
    const { item, from, oldIndex } = event;
    const move = cardMove(item, event.to);
    move.undo = () => from.insertBefore(item, from.children[oldIndex] || null);
    begin(move);
  }

  function chosen(event) {
    const form = event.target.closest("form.move");
    if (!form) return;
    event.preventDefault();
    const select = form.elements.deal_stage_id;
    const option = select.selectedOptions[0];
    const list = document.querySelector(`.cards[data-stage-id="${option.value}"]`);
    if (!list || form.closest(".cards") === list) return;
    const move = cardMove(form.closest(".deal"), list);
    move.undo = () => form.reset();
    move.focus = select.id;
    begin(move);
  }

  function initBoard(board) {
    board.querySelectorAll(".cards").forEach((list) => {
      if (Sortable.get(list)) return;
      Sortable.create(list, {
        group: "deals",
        animation: 150,
        // Pointer events rather than native drag and drop: the same on a mouse, a pen and
        // a touch screen, and the card follows the pointer across a scrolled board.
        forceFallback: true,
        filter: "form.move",
        preventOnFilter: false,
        onEnd: dropped,
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const dialog = document.getElementById("close-deal");
    const form = dialog.querySelector("form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const details = Object.fromEntries(new FormData(form));
      const move = pending;
      dialog.returnValue = "saved";
      dialog.close();
      send(move, details);
    });
    dialog.querySelector("[data-cancel]").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "saved" && pending) pending.undo();
      if (dialog.returnValue !== "saved") pending = null;
    });
    document.addEventListener("submit", chosen);
    initBoard(document.getElementById("board"));
    htmx.onLoad((element) => {
      const board = element.id === "board" ? element : element.querySelector("#board");
      if (board) initBoard(board);
    });
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    if (!pending || event.detail.requestConfig.verb !== "post") return;
    const move = pending;
    pending = null;
    if (!event.detail.successful) move.undo();
    else if (move.focus) document.getElementById(move.focus)?.focus();
  });
})();
