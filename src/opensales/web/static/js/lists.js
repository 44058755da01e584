// Lists: "select all on this page", and how many rows are selected for a bulk action.
document.addEventListener("change", (event) => {
  const box = event.target;
  const form = box.closest && box.closest("form[data-bulk]");
  if (!form) return;
  const rows = [...form.querySelectorAll('input[name="selected_ids"]')];
  const all = form.querySelector("[data-select-all]");
  if (box === all) rows.forEach((row) => { row.checked = all.checked; });
  const chosen = rows.filter((row) => row.checked).length;
  all.checked = rows.length > 0 && chosen === rows.length;
  all.indeterminate = chosen > 0 && chosen < rows.length;
  form.querySelector("[data-selected-count]").textContent = `${chosen} selected`;
});
