// axios + axios-auth-refresh with the options its README recommends (the default
// `deduplicateRefresh: true`: one refresh at a time, requests made meanwhile are paused).
import axios from "axios";
import { createAuthRefresh } from "axios-auth-refresh";

export async function create({ fetch, refreshUrl, access }) {
  const config = { adapter: "fetch", ...(fetch ? { env: { fetch } } : {}) };
  const api = axios.create(config);
  const bare = axios.create(config);
  let token = access;
  api.interceptors.request.use((c) => {
    c.headers.Authorization = `Bearer ${token}`;
    return c;
  });
  createAuthRefresh(
    api,
    (failed) =>
      bare.post(refreshUrl, null, { withCredentials: true }).then(({ data }) => {
        token = data.access;
        failed.response.config.headers.Authorization = `Bearer ${token}`;
      }),
    { statusCodes: [401] },
  );
  return { get: async (url) => (await api.get(url)).data };
}
