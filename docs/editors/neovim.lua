-- speckeeper's language server in Neovim 0.11 or newer (init.lua).
vim.lsp.config("speckeeper", {
  cmd = { "speckeeper", "lsp" },
  filetypes = { "rst", "markdown" },
  root_markers = { ".speckeeper.toml", "pyproject.toml", ".git" },
  init_options = { baseline = true },
})
vim.lsp.enable("speckeeper")
