#!/usr/bin/env python3
"""Replays ESC/POS commands (JSON, as SGPOSDevices records them) with python-escpos's
Dummy printer and prints the bytes as hex: an independent encoder for the golden test.

Usage: replay.py COMMANDS.json
"""
import json
import sys

from escpos.printer import Dummy


def main(path):
    printer = Dummy()
    sizes = {"normal": {"normal_textsize": True}, "doubleHeight": {"double_height": True},
             "doubleWidth": {"double_width": True}, "double": {"double_height": True, "double_width": True}}
    for command in json.load(open(path)):
        (name, value), = command.items()
        if name == "initialize":
            printer.hw("INIT")
        elif name == "set":
            kwargs = {}
            if "size" in value:
                kwargs.update(sizes[value["size"]])
            if "bold" in value:
                kwargs["bold"] = value["bold"]
            if "align" in value:
                kwargs["align"] = value["align"]
            printer.set(**kwargs)
        elif name == "text":
            printer.text(value["_0"])
        elif name == "qr":
            printer.qr(value["_0"], native=True, size=value["size"])
        elif name == "barcode128":
            printer.barcode("{B" + value["_0"], "CODE128", height=64, width=2, pos="BELOW", font="A", function_type="B")
        elif name == "feed":
            printer.ln(value["lines"])
        elif name == "cut":
            printer.cut(mode="PART" if value["partial"] else "FULL")
        elif name == "cashDrawer":
            printer.cashdraw(value["pin"])
        else:
            raise SystemExit(f"unknown command {name}")
    print(printer.output.hex())


if __name__ == "__main__":
    main(sys.argv[1])
