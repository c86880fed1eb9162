"""A stand-in for the `trampoline` package torchsde's BrownianInterval imports, used only when it is not installed:
a generator `yield`s a sub-generator to call it (its return value is sent back) or raises `TailCall(gen)` to be
replaced by it; `trampoline(gen)` runs the stack and returns the outermost generator's return value."""


class TailCall(BaseException):
    def __init__(self, call):
        super().__init__()
        self.call = call


def trampoline(gen):
    stack = [gen]
    sent = None
    while stack:
        try:
            value = stack[-1].send(sent)
            sent = None
            stack.append(value)
        except StopIteration as e:
            stack.pop()
            sent = e.value
        except TailCall as t:
            stack.pop()
            stack.append(t.call)
            sent = None
    return sent
