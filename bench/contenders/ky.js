// ky with an afterResponse hook that refreshes on 401 through one shared promise, then retries
// with the new token (the pattern of ky's README, with the refresh shared).
import ky from "ky";

export async function create({ fetch, refreshUrl, access }) {
  const base = fetch ? { fetch } : {};
  let token = access;
  let refreshing = null;
  const refresh = () =>
    (refreshing ??= ky
      .post(refreshUrl, { ...base, credentials: "include" })
      .json()
      .then((data) => {
        token = data.access;
      })
      .finally(() => (refreshing = null)));
  const api = ky.create({
    ...base,
    hooks: {
      beforeRequest: [({ request }) => request.headers.set("Authorization", `Bearer ${token}`)],
      afterResponse: [
        async ({ request, response, retryCount }) => {
          if (response.status !== 401 || retryCount > 0) return;
          if (request.headers.get("Authorization") === `Bearer ${token}`) await refresh();
          else if (refreshing) await refreshing;
          const headers = new Headers(request.headers);
          headers.set("Authorization", `Bearer ${token}`);
          return ky.retry({ request: new Request(request, { headers }), delay: 0, code: "TOKEN_REFRESHED" });
        },
      ],
    },
  });
  return { get: (url) => api.get(url).json() };
}
