"""Range stepping (vCont;r, gdb manual E.2): `next` steps a whole line in one
packet; a breakpoint inside the stepped code still stops it."""
import re

from harness import Server, check, finish, gdb_batch


def main():
    with Server() as srv:
        out = gdb_batch(srv, ["break demo_step", "continue", "delete", "set debug remote 1", "next", "next", "next",
                              "set debug remote 0", "break leaf_scale", "continue", "finish", "delete",
                              "break demo_step", "continue", "delete", "next", "next",
                              "break *($pc + 4)", "next", "detach"])
        ranges = re.findall(r"Sending packet: \$vCont;r([0-9a-f]+),([0-9a-f]+)", out)
        check("gdb range-steps with vCont;r (advertised in vCont?)", len(ranges) >= 2, out[:2000])
        check("next by range stepping reaches the following lines",
              re.search(r"^41\s.*compute", out, re.M) is not None and re.search(r"^43\s.*ticks\+\+", out, re.M)
              is not None and re.search(r"^44\s", out, re.M) is not None, out[:3000])
        steps = len(re.findall(r"Sending packet: \$vCont;s", out))
        check("one packet per line, not one per instruction", steps <= 2, f"{steps} single steps")
        tail = out[out.rfind("Breakpoint 4 at"):] if "Breakpoint 4 at" in out else out
        check("a breakpoint inside the stepped range stops range stepping",
              re.search(r"Breakpoint 4, 0x[0-9a-f]+ in demo_step", tail) is not None, tail[-1500:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("range step tests", False, repr(e))
    finish()
