// axios with the classic single-flight refresh interceptor (`isRefreshing` + `failedQueue`), as
// the widely copied pattern writes it. The fetch adapter, so the same fetch is measured underneath.
import axios from "axios";

export async function create({ fetch, refreshUrl, access }) {
  const config = { adapter: "fetch", ...(fetch ? { env: { fetch } } : {}) };
  const api = axios.create(config);
  const bare = axios.create(config);
  let token = access;
  let isRefreshing = false;
  let failedQueue = [];
  const processQueue = (error, fresh) => {
    for (const p of failedQueue) error ? p.reject(error) : p.resolve(fresh);
    failedQueue = [];
  };
  api.interceptors.request.use((c) => {
    c.headers.Authorization = `Bearer ${token}`;
    return c;
  });
  api.interceptors.response.use(
    (r) => r,
    (error) => {
      const original = error.config;
      if (error.response?.status !== 401 || original._retry) return Promise.reject(error);
      if (isRefreshing) {
        return new Promise((resolve, reject) => failedQueue.push({ resolve, reject })).then(() => api(original));
      }
      original._retry = true;
      isRefreshing = true;
      return new Promise((resolve, reject) => {
        bare
          .post(refreshUrl, null, { withCredentials: true })
          .then(({ data }) => {
            token = data.access;
            processQueue(null, token);
            resolve(api(original));
          })
          .catch((e) => {
            processQueue(e, null);
            reject(e);
          })
          .finally(() => (isRefreshing = false));
      });
    },
  );
  return { get: async (url) => (await api.get(url)).data };
}
