// Horizontal bar charts as standalone SVG (no external service, no fonts to fetch).

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * groups: [{ title, unit, rows: [{ label, value, note?, highlight?, failed? }] }]; one panel per
 * group, each scaled to its own largest value. Bars are the median; `note` is printed after it.
 */
export function barChart({ title, subtitle, groups }) {
  const width = 760;
  const labelW = 210;
  const barMax = width - labelW - 170;
  const rowH = 22;
  let y = 46;
  const parts = [];
  for (const g of groups) {
    y += 10;
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${esc(g.title)}</text>`);
    y += 22;
    const max = Math.max(...g.rows.map((r) => (Number.isFinite(r.value) ? r.value : 0)), 1e-9);
    for (const r of g.rows) {
      const v = Number.isFinite(r.value) ? r.value : 0;
      const w = Math.max(1, (v / max) * barMax);
      const fill = r.failed ? "#c0392b" : r.highlight ? "#2e7d32" : "#607d8b";
      parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`);
      parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${fill}"/>`);
      parts.push(`<text x="${labelW + w + 6}" y="${y + 15}">${esc(r.note ?? `${fmt(v)} ${g.unit}`)}</text>`);
      y += rowH;
    }
  }
  const height = y + 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="16" font-weight="bold">${esc(title)}</text>
<text x="10" y="38" fill="#555">${esc(subtitle ?? "")}</text>
${parts.join("\n")}
</svg>
`;
}

export function fmt(v) {
  if (!Number.isFinite(v)) return "—";
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
