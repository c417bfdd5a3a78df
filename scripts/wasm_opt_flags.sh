# wasm-opt settings of the npm Wasm, sourced by build.sh (the package) and named_wasm.sh (the same
# Wasm with names kept, for twiggy and gzip_cost.mjs), so size figures match what ships.

# The features rustc enables by default for wasm32-unknown-unknown (all baseline in browsers).
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
# -Os rather than -Oz, iterated to a fixed point, and functions with one caller inlined only
# when small: ~1 KB smaller after gzip, which is what a browser downloads, though larger raw
# (merging every single-caller function into its caller compresses worse). The two inlining
# limits sit in a range where the result is stable (one-caller 18-25, always 4).
WASM_SIZE_FLAGS="-Os --converge --one-caller-inline-max-function-size=20 --always-inline-max-function-size=4"
