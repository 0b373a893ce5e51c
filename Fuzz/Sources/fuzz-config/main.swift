import FuzzInput
import Glibc

exit(runFuzzer { data, size in
    withFuzzData(data, size) { fuzzConfig($0, $1) }
    return 0
})
