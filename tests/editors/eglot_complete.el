;;; eglot_complete.el --- Emacs batch: eglot + apirec, completion after `os.path.'  -*- lexical-binding: t -*-
;; Opens the real file, lets `eglot-ensure' connect, asks the server for completion after `os.path.'
;; and writes the first item's label (by sortText) to $APIREC_OUT.  Also checks eglot's own
;; completion-at-point offers it.
(require 'eglot)
(require 'python)

(let* ((root (file-name-as-directory (getenv "APIREC_ROOT")))
       (out (getenv "APIREC_OUT"))
       (python (getenv "APIREC_PYTHON")))
  (condition-case err
      (progn
        ;; No VCS in the fixture folder: make it a project so eglot does not prompt.
        (add-hook 'project-find-functions (lambda (_dir) (cons 'transient root)))
        (setq eglot-server-programs `((python-mode ,python "-m" "apirec.lsp")))
        (setq eglot-sync-connect 60)
        (find-file (expand-file-name "sample.py" root))
        (python-mode)
        (eglot-ensure)
        (run-hooks 'post-command-hook)      ; eglot-ensure connects from this hook
        (let ((deadline (+ (float-time) 60)))
          (while (and (not (eglot-current-server)) (< (float-time) deadline))
            (accept-process-output nil 0.1)))
        (let ((server (or (eglot-current-server) (error "eglot did not connect")))
              (deadline (+ (float-time) 240))
              ready)
          ;; Wait until the server's indexes are loaded.
          (while (and (not ready) (< (float-time) deadline))
            (let ((st (jsonrpc-request server :workspace/executeCommand '(:command "apirec.status"))))
              (setq ready (eq (plist-get st :ready) t))
              (unless ready (accept-process-output nil 0.2))))
          (unless ready (error "indexes never became ready"))
          (goto-char (point-max))
          (skip-chars-backward "\n")
          (let* ((res (jsonrpc-request server :textDocument/completion
                                       (eglot--TextDocumentPositionParams)))
                 (items (append (if (vectorp res) res (plist-get res :items)) nil))
                 (sorted (sort items (lambda (a b) (string< (or (plist-get a :sortText) "")
                                                            (or (plist-get b :sortText) "")))))
                 (first (plist-get (car sorted) :label))
                 (capf (eglot-completion-at-point))
                 (cands (and capf (all-completions "" (nth 2 capf)))))
            (unless (member first cands)
              (error "completion-at-point does not offer %s" first))
            (with-temp-file out (insert first))
            (kill-emacs 0))))
    (error (with-temp-file out (insert (format "ERROR: %S" err)))
           (kill-emacs 1))))
