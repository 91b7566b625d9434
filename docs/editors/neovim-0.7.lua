-- speckeeper's language server in Neovim 0.7 to 0.10 (init.lua), which have
-- no vim.lsp.config: one client, started with the first reStructuredText
-- or Markdown buffer and attached to each one opened after it.
local client_id

-- The folder of the nearest .speckeeper.toml, pyproject.toml or .git up from dir.
local function root_dir(dir)
  for _, marker in ipairs({ ".speckeeper.toml", "pyproject.toml", ".git" }) do
    local found = vim.fn.findfile(marker, dir .. ";")
    if found == "" then
      found = vim.fn.finddir(marker, dir .. ";")
    end
    if found ~= "" then
      local path = vim.fn.fnamemodify(found, ":p"):gsub("/$", "")
      return vim.fn.fnamemodify(path, ":h")
    end
  end
  return dir
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = { "rst", "markdown" },
  callback = function(args)
    if not client_id then
      client_id = vim.lsp.start_client({
        name = "speckeeper",
        cmd = { "speckeeper", "lsp" },
        root_dir = root_dir(vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ":p:h")),
        init_options = { baseline = true },
      })
    end
    vim.lsp.buf_attach_client(args.buf, client_id)
  end,
})
