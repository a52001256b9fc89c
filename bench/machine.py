"What the benchmarks ran on, for the header of their results"
import platform


def cpu():
    "The processor's model name"
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
