#!/usr/bin/python3
"""The standard Jupyter kernel conformance suite (jupyter_kernel_test) against
the convlab kernel. Run by tests/kernel/conformance.test.ts with JUPYTER_PATH
pointing at a freshly installed kernelspec; every test must run, none skipped."""
import unittest

import jupyter_kernel_test as jkt


class ConvlabKernelTests(jkt.KernelTests):
    kernel_name = "convlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    completion_samples = [
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "const convlabCompletionTarget = 1;\nconvlabCompletionTar", "matches": {"convlabCompletionTarget"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 2;", "function f() { return 1 }", "for (const i of [1]) {}"]
    incomplete_code_samples = ["function f() {", "const a = [1,", "if (true) {\n  1"]
    invalid_code_samples = ["const = 5;", "1 +* 2", ")"]

    code_page_something = "Math.floor?"

    code_generate_error = 'throw new Error("something went wrong")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"con" + "vlab"', "result": "'convlab'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
        {
            "code": '({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>rich</b>", "text/plain": "rich" }; } })',
            "mime": "text/html",
            "result": "<b>rich</b>",
        },
    ]

    code_display_data = [
        {"code": 'import { display } from "convlab";\nawait display({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<i>shown</i>" }; } });', "mime": "text/html"},
        {"code": 'import { displayBundle } from "convlab";\ndisplayBundle({ "image/svg+xml": "<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>" });', "mime": "image/svg+xml"},
    ]

    code_history_pattern = "6 ? 7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.floor"

    code_clear_output = 'import { clearOutput } from "convlab";\nclearOutput();'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The kernel is ready (it answers kernel_info) long before its first
        # cell can run: the compiler thread is still loading tfjs's and
        # convlab's typings, which takes seconds, and much longer on a loaded
        # machine. Wait for that state with a generous limit, so that the
        # suite's own 15-second limits never depend on the machine's load.
        reply = cls.kc.execute_interactive('import "convlab";', store_history=False, timeout=600)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel's first cell failed: {reply['content']}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
