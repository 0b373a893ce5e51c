#if canImport(Glibc)
import Glibc
#endif

/// The one place TandemCARP's packet I/O calls into the kernel and reads `errno`
/// (after swift-nio's `System.swift`): `EINTR` is retried, `EAGAIN` becomes
/// "would block" (nil), `EBADF`/`EFAULT` are programmer errors and trap, anything else is
/// thrown as a `CarpIOError` naming the call and its subject.
enum CarpSyscalls {
    /// Runs `call` until it stops failing with EINTR; nil when it would block.
    static func retrying(_ operation: @autoclosure () -> String, context: String,
                         _ call: () -> Int) throws(CarpIOError) -> Int? {
        while true {
            let result = call()
            if result >= 0 { return result }
            let error = errno
            switch error {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            case EBADF, EFAULT: preconditionFailure("\(context): \(operation()) failed with errno \(error): a bug in TandemCARP")
            default: throw CarpIOError(operation(), errno: error, context: context)
            }
        }
    }

    /// A call that must not block (socket set-up): "would block" is an error there.
    static func call(_ operation: @autoclosure () -> String, context: String,
                     _ body: () -> Int32) throws(CarpIOError) -> Int32 {
        guard let result = try retrying(operation(), context: context, { Int(body()) }) else {
            throw CarpIOError(operation(), errno: EAGAIN, context: context)
        }
        return Int32(result)
    }

    static func socket(_ domain: Int32, _ type: Int32, _ proto: Int32, context: String) throws(CarpIOError) -> Int32 {
        try call("socket(\(domain), \(type), \(proto))", context: context) {
            Glibc.socket(domain, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto)
        }
    }

    static func setOption<T>(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: T, _ label: String,
                                              context: String) throws(CarpIOError) {
        var value = value
        _ = try call("setsockopt(\(label))", context: context) {
            withUnsafePointer(to: &value) { setsockopt(fd, level, name, UnsafeRawPointer($0), socklen_t(MemoryLayout<T>.size)) }
        }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, bytes: [UInt8], _ label: String,
                          context: String) throws(CarpIOError) {
        _ = try call("setsockopt(\(label))", context: context) {
            bytes.withUnsafeBytes { setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
        }
    }

    static func bind<Address>(_ fd: Int32, _ address: Address, _ label: String, context: String) throws(CarpIOError) {
        var address = address
        _ = try call("bind(\(label))", context: context) {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size))
                }
            }
        }
    }

    /// Sends one datagram; a full send buffer is reported as an error, since CARP would
    /// rather count a lost advertisement than queue a stale one.
    static func sendTo<Address>(_ fd: Int32, _ bytes: [UInt8], _ address: Address, _ label: String,
                                context: String) throws(CarpIOError) {
        var address = address
        let sent = try retrying("sendto(\(label))", context: context) {
            bytes.withUnsafeBytes { buffer in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<Address>.size))
                    }
                }
            }
        }
        guard let sent else { throw CarpIOError("sendto(\(label))", errno: EAGAIN, context: context) }
        guard sent == bytes.count else { throw CarpIOError("sendto(\(label)) sent \(sent) of \(bytes.count) bytes", errno: EMSGSIZE, context: context) }
    }

    /// `sendmsg` with ancillary data (e.g. `IPV6_PKTINFO` to choose the source address).
    static func sendMessage<Address>(_ fd: Int32, _ bytes: [UInt8], _ address: Address, control: [UInt8], _ label: String,
                                     context: String) throws(CarpIOError) {
        var address = address
        var bytes = bytes
        var control = control
        let sent = try retrying("sendmsg(\(label))", context: context) {
            bytes.withUnsafeMutableBytes { dataBuffer in
                control.withUnsafeMutableBytes { controlBuffer in
                    withUnsafeMutablePointer(to: &address) { addressPointer in
                        var vector = iovec(iov_base: dataBuffer.baseAddress, iov_len: dataBuffer.count)
                        return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                            var message = msghdr()
                            message.msg_name = UnsafeMutableRawPointer(addressPointer)
                            message.msg_namelen = socklen_t(MemoryLayout<Address>.size)
                            message.msg_iov = vectorPointer
                            message.msg_iovlen = 1
                            message.msg_control = controlBuffer.baseAddress
                            message.msg_controllen = controlBuffer.count
                            return sendmsg(fd, &message, 0)
                        }
                    }
                }
            }
        }
        guard let sent else { throw CarpIOError("sendmsg(\(label))", errno: EAGAIN, context: context) }
        guard sent == bytes.count else { throw CarpIOError("sendmsg(\(label)) sent \(sent) of \(bytes.count) bytes", errno: EMSGSIZE, context: context) }
    }

    /// One `recvmsg`: the datagram, the sender's address storage and the control bytes;
    /// nil when nothing is waiting.
    static func receiveMessage(_ fd: Int32, capacity: Int, controlCapacity: Int,
                               context: String) throws(CarpIOError) -> (data: [UInt8], source: sockaddr_storage, control: [UInt8])? {
        var data = [UInt8](repeating: 0, count: capacity)
        var control = [UInt8](repeating: 0, count: controlCapacity)
        var source = sockaddr_storage()
        var controlLength = 0
        let received = try retrying("recvmsg", context: context) {
            data.withUnsafeMutableBytes { dataBuffer in
                control.withUnsafeMutableBytes { controlBuffer in
                    withUnsafeMutablePointer(to: &source) { sourcePointer in
                        var vector = iovec(iov_base: dataBuffer.baseAddress, iov_len: dataBuffer.count)
                        return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                            var message = msghdr()
                            message.msg_name = UnsafeMutableRawPointer(sourcePointer)
                            message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                            message.msg_iov = vectorPointer
                            message.msg_iovlen = 1
                            message.msg_control = controlBuffer.baseAddress
                            message.msg_controllen = controlBuffer.count
                            let n = recvmsg(fd, &message, Int32(MSG_DONTWAIT))
                            controlLength = message.msg_controllen
                            return n
                        }
                    }
                }
            }
        }
        guard let received else { return nil }
        return (Array(data.prefix(received)), source, Array(control.prefix(controlLength)))
    }

    /// Waits up to `milliseconds` for `fd` to become readable; false on timeout.
    static func waitReadable(_ fd: Int32, milliseconds: Int32, context: String) throws(CarpIOError) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = try call("poll", context: context) { poll(&entry, 1, milliseconds) }
        return ready > 0
    }

    /// The socket's own address (for an `AF_PACKET` socket: the interface's MAC).
    static func localAddress<Address>(_ fd: Int32, as type: Address.Type, _ label: String,
                                                       context: String) throws(CarpIOError) -> Address {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try call("getsockname(\(label))", context: context) {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
        }
        return withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: Address.self) }
    }

    static func interfaceIndex(_ name: String) throws(CarpIOError) -> Int32 {
        let index = if_nametoindex(name)
        guard index != 0 else { throw CarpIOError("if_nametoindex", errno: errno, context: name) }
        return Int32(index)
    }

    static func close(_ fd: Int32) {
        // close(2) must not be retried on EINTR on Linux: the descriptor is already gone.
        let result = Glibc.close(fd)
        precondition(result == 0 || errno != EBADF, "close(\(fd)): EBADF, a descriptor closed twice")
    }
}
