// The HTTP clients the e2e tests drive, bundled for the browser by esbuild (see bundle.mjs).
export { default as axios, AxiosError } from "axios";
export { default as ky, HTTPError } from "ky";
export { ofetch, FetchError } from "ofetch";
