-- Neovim 0.7 headless: start the apirec server with the built-in client, open a real file, ask for
-- completion after `os.path.` and write the first item's label (by sortText) to $APIREC_OUT.
local out = os.getenv("APIREC_OUT")
local function finish(text, code)
  local f = io.open(out, "w"); f:write(text); f:close()
  vim.cmd(code == 0 and "qa!" or "cq")
end

local ok, err = pcall(function()
  local root = os.getenv("APIREC_ROOT")
  vim.cmd("edit " .. vim.fn.fnameescape(root .. "/sample.py"))
  local bufnr = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = "apirec",
    cmd = { os.getenv("APIREC_PYTHON"), "-m", "apirec.lsp" },
    root_dir = root,
  })
  assert(id, "start_client failed")
  vim.lsp.buf_attach_client(bufnr, id)
  local client = vim.lsp.get_client_by_id(id)
  assert(vim.wait(60000, function() return client.initialized end, 50), "server never initialized")
  -- Wait for the indexes (the server answers from whatever is loaded; the test wants the full answer).
  assert(vim.wait(240000, function()
    local r = client.request_sync("workspace/executeCommand", { command = "apirec.status" }, 5000, bufnr)
    return r and r.result and r.result.ready and r.result.indexes.default == "ready"
  end, 200), "indexes never became ready")
  -- The position right after `os.path.` on the last line.
  local last = vim.api.nvim_buf_line_count(bufnr) - 1
  local text = vim.api.nvim_buf_get_lines(bufnr, last, last + 1, false)[1]
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) },
                   position = { line = last, character = #text } }
  local res = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, 20000)
  assert(res and res[id] and res[id].result, "no completion result: " .. vim.inspect(res))
  local items = res[id].result.items or res[id].result
  table.sort(items, function(a, b) return (a.sortText or a.label) < (b.sortText or b.label) end)
  assert(#items > 0, "empty completion list")
  client.stop()
  finish(items[1].label, 0)
end)
if not ok then finish("ERROR: " .. tostring(err), 1) end
