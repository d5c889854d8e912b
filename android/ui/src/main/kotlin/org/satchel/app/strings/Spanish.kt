package org.satchel.app.strings

import org.satchel.ffi.InputTopic
import org.satchel.ffi.NaloxoneKit
import org.satchel.ffi.OpenStatus
import org.satchel.ffi.Service
import org.satchel.ffi.ServiceAccess

object Spanish : Strings {
    override val languageName = "Español"
    override val appName = "Satchel"

    override val joinTitle = "Únete a tu programa"
    override val joinExplain = "Escanea el código que te muestra quien coordina el programa, o pega su texto. Luego elige un PIN para este teléfono."
    override val enrollmentCode = "Código de inscripción"
    override val scanCode = "Escanear código"
    override val choosePin = "Elige un PIN (de 4 a 8 dígitos)"
    override val confirmPin = "Escribe el PIN otra vez"
    override val pinsDiffer = "Los dos PIN no son iguales."
    override fun pinProblem(p: org.satchel.ffi.PinProblem) = when (p) {
        org.satchel.ffi.PinProblem.NOT_DIGITS -> "Usa solo dígitos."
        org.satchel.ffi.PinProblem.LENGTH -> "Usa de 4 a 8 dígitos."
        org.satchel.ffi.PinProblem.ONE_DIGIT -> "Un mismo dígito repetido es lo primero que se prueba. Elige otro PIN."
        org.satchel.ffi.PinProblem.RUN -> "Los dígitos seguidos son lo primero que se prueba. Elige otro PIN."
        org.satchel.ffi.PinProblem.PATTERN -> "Un patrón repetido es lo primero que se prueba. Elige otro PIN."
        org.satchel.ffi.PinProblem.COMMON -> "Es uno de los PIN más comunes. Elige otro."
    }
    override val useFingerprint = "Desbloquear también con huella"
    override val join = "Unirme"
    override val joining = "Uniéndome…"
    override val joinCodeOnly = "Este teléfono tiene PIN pero aún no se ha unido a un programa. Escribe el código de inscripción."
    override val fingerprintNotOn = "El desbloqueo con huella no quedó activado. Puedes activarlo en Ajustes."

    override val unlockTitle = "Satchel está bloqueado"
    override val enterPin = "Escribe tu PIN"
    override val unlock = "Desbloquear"
    override val unlockWithFingerprint = "Usar huella"
    override val deleteDigit = "Borrar el último dígito"
    override fun digit(d: Int) = "Dígito $d"
    override fun wrongPin(failed: Int) = "PIN incorrecto ($failed seguidos)."
    override fun waitBeforeTry(seconds: Long) = "Demasiados PIN incorrectos. Inténtalo de nuevo en $seconds s."
    override fun wipeWarning(limit: Int, left: Int) =
        "Tras $limit PIN incorrectos seguidos, Satchel borra sus datos de este teléfono. " +
            (if (left == 1) "Queda 1 intento." else "Quedan $left intentos.")
    override fun wiped(failed: Int) =
        "Después de $failed PIN incorrectos seguidos, Satchel borró sus datos de este teléfono, como lo decidió tu programa. " +
            "Lo que no se había enviado se perdió. Pide un código nuevo a quien coordina el programa para unirte otra vez."
    override val fingerprintCancelled = "Se canceló el desbloqueo con huella."
    override val fingerprintChanged = "Las huellas de este teléfono cambiaron, así que el desbloqueo con huella se desactivó. Desbloquea con tu PIN."
    override val fingerprintOfferAgain = "¿Activar otra vez el desbloqueo con huella?"
    override val turnOn = "Activar"
    override val fingerprintPrompt = "Confirma con tu huella"
    override val keystoreFailed = "El almacén seguro de claves del teléfono no respondió. No cambió nada; inténtalo otra vez."

    override val tabLog = "Anotar"
    override val tabToday = "Hoy"
    override val tabStock = "Insumos"
    override val tabSync = "Sinc."
    override val tabSettings = "Ajustes"

    override val chooseKit = "Toca lo que entregaste"
    override val noKits = "Tu programa aún no tiene kits."
    override val otherSupplies = "Otros insumos"
    override fun kitTile(name: String, items: Int) = "$name, $items artículos"

    override val reviewTitle = "Revisa y guarda"
    override val correctTitle = "Corregir contacto"
    override val items = "Insumos"
    override fun itemCount(name: String, count: Int) = "$name: $count"
    override fun addOne(name: String) = "Uno más de $name (mantén para diez)"
    override fun removeOne(name: String) = "Uno menos de $name (mantén para diez)"
    override val addItem = "Agregar un insumo"
    override val contactType = "Contacto"
    override val zone = "Zona"
    override val participantCode = "Código de participante (opcional)"
    override val participantCodeHint = "El código nunca se guarda; solo una referencia que no lo revela."
    override val seenBefore = "Ya registrado en este teléfono"
    override val notSeenBefore = "Nuevo en este teléfono"
    override val newParticipant = "Participante nuevo"
    override val ageBand = "Edad"
    override val gender = "Género"
    override val notRecorded = "No preguntado"
    override val referrals = "Derivaciones"
    override val substances = "Sustancias que usa"
    override val syringesCollected = "Jeringas usadas recogidas"
    override val overdoseReversals = "Sobredosis revertidas que reporta la persona"
    override val naloxoneDosesUsed = "Dosis de naloxona usadas para revertir una sobredosis"
    override val collectingFor = "Lleva materiales para otras personas"
    override val save = "Guardar"
    override val cancel = "Cancelar"
    override val saved = "Guardado"
    override val undo = "Deshacer"
    override val undone = "Quitado"
    override val draftBack = "Volvió el contacto que estabas anotando"
    override val draftBackRetypeCode = "Volvió el contacto que estabas anotando. Escribe el código otra vez."
    override fun contactAt(time: String) = "Cuándo: $time"
    override val minutesEarlier = "Minutos antes (anotado tarde)"
    override fun contactTypeName(id: String) = when (id) {
        "STREET" -> "Calle"
        "MOBILE_UNIT" -> "Unidad móvil"
        "DROP_IN" -> "Centro de acogida"
        "PEER_DELIVERY" -> "Entrega entre pares"
        "PHONE_TEXT" -> "Teléfono o mensaje"
        else -> id
    }

    override val todayTitle = "Este turno"
    override fun shiftHeadline(encounters: Int, waiting: Int) =
        (if (encounters == 1) "1 contacto" else "$encounters contactos") +
            (if (waiting > 0) ", $waiting por sincronizar" else ", todo enviado")
    override val shiftEmpty = "Aún no hay nada registrado en este turno."
    override val waiting = "Pendiente"
    override val sent = "Enviado"
    override val voided = "Anulado"
    override val void = "Anular"
    override val voidConfirmTitle = "¿Anular este contacto?"
    override val voidConfirmText = "No contará en ningún lado y sus insumos vuelven al inventario."
    override val correct = "Corregir"
    override fun naloxoneDoses(n: Int) = "$n dosis de naloxona"
    override val servicesTitle = "Adónde ir"
    override val handOver = "Mostrar la tarjeta"
    private val days = mapOf("mon" to "lunes", "tue" to "martes", "wed" to "miércoles", "thu" to "jueves", "fri" to "viernes", "sat" to "sábado", "sun" to "domingo")
    override fun openStatus(s: OpenStatus) = when (s) {
        is OpenStatus.Open -> s.closes?.let { "Abierto hasta las $it" } ?: "Abierto"
        is OpenStatus.Closed -> if (s.opensDay != null) "Cerrado · abre el ${days[s.opensDay] ?: s.opensDay} a las ${s.opensAt}" else "Cerrado"
        OpenStatus.Unknown -> "Horario no indicado: llame o pregunte"
    }
    override fun doorSummary(s: Service) = listOfNotNull(
        when (s.access) {
            ServiceAccess.WALK_IN -> "Sin cita"
            ServiceAccess.APPOINTMENT -> "Con cita"
            ServiceAccess.WALK_IN_OR_APPOINTMENT -> "Con o sin cita"
        },
        if (s.requiresId) "Hace falta identificación con foto" else "No hace falta identificación",
        "Hace falta seguro médico".takeIf { s.requiresInsurance },
        "Pide llegar sin haber consumido".takeIf { s.requiresSobriety },
    ).joinToString(" · ")
    override fun serviceName(s: Service) = s.name.es ?: s.name.en
    override fun programName(en: String, es: String?) = es ?: "$en (EN)"
    override val cardLanguage = "Idioma de la tarjeta"
    override val qrNote = "Escanee para guardar los datos de este servicio en su teléfono. No contiene nada sobre usted."
    override val back = "Volver"
    override val suggested = "Sugerido"
    override fun syringesBack(n: Int) = "$n jeringas usadas recogidas"
    override fun containersOf(name: String, syringesEach: Int) = "$name (unas $syringesEach jeringas cada uno)"
    override fun containersBack(n: Int, syringes: Int) =
        if (n == 1) "1 contenedor de objetos punzantes devuelto (unas $syringes jeringas)" else "$n contenedores de objetos punzantes devueltos (unas $syringes jeringas)"

    override val profileTitle = "Sobre esta persona (se pregunta una vez)"
    override val profileHint = "Opcional: se puede saltar o preguntar después."
    override val updateProfile = "Actualizar lo que nos contó de sí"
    override val profileUpdateTitle = "Sobre esta persona (actualizar)"
    override val race = "Raza (todas las que correspondan)"
    override val ethnicity = "Origen étnico"
    override val residence = "Vive en"
    override val askLater = "Preguntar después"
    override val declined = "Prefiere no decir"
    override val deliveredTitle = "Dado aquí"
    override fun linkedToCare(service: String) = "$service: vinculado a atención médica"
    override val naloxoneKitTitle = "Este kit de naloxona es"
    override fun naloxoneKitName(kit: NaloxoneKit) = when (kit) {
        NaloxoneKit.FIRST -> "El primero"
        NaloxoneKit.REFILL_USED -> "Reposición: se usó con alguien"
        NaloxoneKit.REFILL_LOST -> "Reposición: se perdió"
        NaloxoneKit.REFILL_CONFISCATED -> "Reposición: se lo quitó la policía"
        NaloxoneKit.REFILL_EXPIRED -> "Reposición: venció"
        NaloxoneKit.REFILL_OTHER -> "Reposición: otra razón"
    }

    override val stockTitle = "Insumos"
    override val chooseLocation = "¿Desde dónde entregas los insumos?"
    override val noLocation = "No se eligió un lugar de inventario."
    override val low = "Bajo"
    override fun lowStockText(level: Long, threshold: Int) = "Bajo: quedan $level (reponer al llegar a $threshold)"
    override fun outOfStockText(threshold: Int) = "Agotado: no queda nada (reponer al llegar a $threshold)"
    override val typeQuantity = "O escribe el número"
    override val safetyOpen = "Salir o borrar"
    override val safetyTitle = "Salir ya"
    override val quickExit = "Bloquear y salir"
    override val quickExitExplain = "Bloquea Satchel de inmediato y vuelve a la pantalla de inicio. No se pierde nada: tu PIN lo vuelve a abrir."
    override fun level(level: Long) = "Quedan $level"
    override val receive = "Recibir"
    override val count = "Contar"
    override val adjust = "Ajustar"
    override val transfer = "Trasladar"
    override val quantity = "Cantidad"
    override val reason = "Motivo"
    override val toLocation = "A"
    override fun reasonName(id: String) = when (id) {
        "EXPIRED" -> "Vencido"
        "DAMAGED" -> "Dañado"
        "LOST" -> "Perdido"
        else -> "Otro"
    }
    override val confirm = "Confirmar"

    override val syncTitle = "Sincronizar"
    override fun recordsWaiting(n: Long) = if (n == 1L) "1 registro por enviar" else "$n registros por enviar"
    override val allSent = "Todo está enviado"
    override fun contactsWaiting(n: Long) = if (n == 1L) "1 contacto por enviar" else "$n contactos por enviar"
    override val otherChangesWaiting = "Cambios de inventario y ajustes por enviar"
    override fun logStatus(contacts: Int, waiting: Long, online: Boolean) =
        listOfNotNull(
            if (contacts == 1) "1 contacto en este turno" else "$contacts contactos en este turno",
            if (waiting == 0L) "todo enviado" else "$waiting por enviar",
            "sin conexión".takeIf { !online },
        ).joinToString(" · ")
    override fun lastSuccess(ago: String) = "Última sincronización $ago"
    override val neverSynced = "Aún no se ha sincronizado"
    override fun lastError(message: String) = "El último intento falló: $message"
    override fun nextTry(at: String) = "Próximo intento a las $at"
    override fun setAside(n: Long) = "$n partes de datos de otro teléfono no se pudieron leer aquí. Avisa a quien coordina el programa."
    override fun neverArrived(n: Long) = "Faltan $n partes de los datos de otro teléfono: nunca llegaron. Avisa a quien coordina el programa."
    override val syncNow = "Sincronizar ahora"
    override val syncing = "Sincronizando…"
    override val offlineExplain = "Sin conexión. Los registros están seguros en este teléfono y se sincronizan cuando haya conexión."
    override fun minutesAgo(n: Long) = if (n == 1L) "hace 1 minuto" else "hace $n minutos"
    override val justNow = "ahora mismo"

    override val settingsTitle = "Ajustes"
    override val language = "Idioma"
    override val theme = "Tema"
    override val themeNight = "Oscuro de noche"
    override val themeSystem = "Como el teléfono"
    override val themeDark = "Siempre oscuro"
    override val themeLight = "Siempre claro"
    override val autoLock = "Bloquear después de"
    override fun minutes(n: Int) = if (n == 1) "1 minuto" else "$n minutos"
    override val unlockAndSync = "Desbloqueo y sincronización"
    override val fingerprintSetting = "Desbloquear con huella"
    override val backgroundSync = "Sincronizar con Satchel bloqueado"
    override val backgroundSyncExplain = "Envía los registros en segundo plano mientras este teléfono está desbloqueado y con conexión, aunque Satchel esté bloqueado."
    override val changePin = "Cambiar PIN"
    override val currentPin = "PIN actual"
    override val newPin = "PIN nuevo"
    override val pinChanged = "PIN cambiado"
    override val quickDelete = "Borrado rápido"
    override val quickDeleteExplain = "Borra de inmediato todo lo que Satchel guarda en este teléfono. Lo que no se haya enviado se pierde."
    override val slideToDelete = "Desliza para borrar todo"
    override fun deletingIn(seconds: Int) = "Borrando en $seconds s"
    override val deleted = "Se borró todo lo de este teléfono."

    override val offline = "Sin conexión. No se pierde nada; inténtalo cuando haya conexión."
    override val refused = "El servidor lo rechazó"
    override fun invalid(reason: String) = "Revisa: $reason."
    override fun invalidTopic(topic: InputTopic) = when (topic) {
        InputTopic.PARTICIPANT_CODE -> "Revisa el código de la persona."
        InputTopic.TIME -> "Revisa la hora: el reloj del teléfono puede estar mal."
        InputTopic.ZONE -> "Elige una zona."
        InputTopic.SUPPLIES -> "Revisa los materiales."
        InputTopic.PROFILE -> "Revisa las respuestas sobre la persona."
        InputTopic.NALOXONE_KIT -> "Revisa por qué se dio el kit de naloxona."
        InputTopic.SERVICES_DELIVERED -> "Revisa los servicios dados aquí."
        InputTopic.COUNTS -> "Revisa los números."
        InputTopic.PIN -> "Revisa el PIN."
        InputTopic.OTHER -> "Revisa lo que escribiste."
    }
    override val notPermitted = "Esto no se puede cambiar desde este teléfono, o ya se cambió."
    override val somethingWrong = "Algo salió mal. No se guardó nada a medias."
}
