/*M!999999\- enable the sandbox mode */ 
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: vpopmail
-- ------------------------------------------------------
-- Server version	10.11.19-MariaDB-0+deb12u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `dir_control`
--

DROP TABLE IF EXISTS `dir_control`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `dir_control` (
  `domain` char(96) NOT NULL,
  `cur_users` int(11) DEFAULT NULL,
  `level_cur` int(11) DEFAULT NULL,
  `level_max` int(11) DEFAULT NULL,
  `level_start0` int(11) DEFAULT NULL,
  `level_start1` int(11) DEFAULT NULL,
  `level_start2` int(11) DEFAULT NULL,
  `level_end0` int(11) DEFAULT NULL,
  `level_end1` int(11) DEFAULT NULL,
  `level_end2` int(11) DEFAULT NULL,
  `level_mod0` int(11) DEFAULT NULL,
  `level_mod1` int(11) DEFAULT NULL,
  `level_mod2` int(11) DEFAULT NULL,
  `level_index0` int(11) DEFAULT NULL,
  `level_index1` int(11) DEFAULT NULL,
  `level_index2` int(11) DEFAULT NULL,
  `the_dir` char(160) DEFAULT NULL,
  PRIMARY KEY (`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `dir_control`
--
-- ORDER BY:  `domain`

LOCK TABLES `dir_control` WRITE;
/*!40000 ALTER TABLE `dir_control` DISABLE KEYS */;
INSERT INTO `dir_control` VALUES
('dom_89',4,0,3,0,0,0,61,61,61,0,2,4,0,0,0,'');
/*!40000 ALTER TABLE `dir_control` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `lastauth`
--

DROP TABLE IF EXISTS `lastauth`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `lastauth` (
  `user` char(32) NOT NULL,
  `domain` char(96) NOT NULL,
  `remote_ip` char(18) NOT NULL,
  `timestamp` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`user`,`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `lastauth`
--
-- ORDER BY:  `user`,`domain`

LOCK TABLES `lastauth` WRITE;
/*!40000 ALTER TABLE `lastauth` DISABLE KEYS */;
INSERT INTO `lastauth` VALUES
('alice','example.com','192.0.2.10',1795000000),
('bob','example.com','198.51.100.7',1790000000),
('carol','example.com','0.0.0.0',1700000000),
('dave','example.com','0.0.0.0',1700000000),
('erin','example.com','0.0.0.0',1700000000),
('frank','example.com','0.0.0.0',1700000000),
('grace','example.com','0.0.0.0',1700000000),
('heidi','example.com','0.0.0.0',1700000000),
('info','example.net','0.0.0.0',1700000000),
('ivan','example.com','0.0.0.0',1700000000),
('john','example.com','0.0.0.0',1700000000),
('judy','example.com','0.0.0.0',1700000000),
('kim','example.com','203.0.113.5',1763000000),
('leo','example.com','0.0.0.0',1700000000),
('liaison','partner.example','0.0.0.0',1700000000),
('mia','example.com','0.0.0.0',1700000000),
('mike','example.net','0.0.0.0',1700000000),
('nick','example.com','0.0.0.0',1700000000),
('nina','example.net','0.0.0.0',1700000000),
('oscar','example.com','0.0.0.0',1700000000),
('paul','example.com','0.0.0.0',1700000000),
('postmaster','example.com','0.0.0.0',1700000000),
('postmaster','example.net','0.0.0.0',1700000000),
('postmaster','partner.example','0.0.0.0',1700000000),
('postmaster','shop.example','0.0.0.0',1700000000),
('quinn','example.com','0.0.0.0',1700000000),
('rita','example.com','0.0.0.0',1700000000),
('tom','shop.example','192.0.2.10',1779000000),
('user01','example.com','0.0.0.0',1700000000),
('user02','example.com','0.0.0.0',1700000000),
('user03','example.com','0.0.0.0',1700000000),
('user04','example.com','0.0.0.0',1700000000),
('user05','example.com','0.0.0.0',1700000000),
('user06','example.com','0.0.0.0',1700000000),
('user07','example.com','0.0.0.0',1700000000),
('user08','example.com','0.0.0.0',1700000000),
('user09','example.com','0.0.0.0',1700000000),
('user10','example.com','0.0.0.0',1700000000),
('user11','example.com','0.0.0.0',1700000000),
('user12','example.com','0.0.0.0',1700000000),
('user13','example.com','0.0.0.0',1700000000),
('user14','example.com','0.0.0.0',1700000000),
('user15','example.com','0.0.0.0',1700000000),
('user16','example.com','0.0.0.0',1700000000),
('user17','example.com','0.0.0.0',1700000000),
('user18','example.com','0.0.0.0',1700000000),
('user19','example.com','0.0.0.0',1700000000),
('user20','example.com','0.0.0.0',1700000000),
('user21','example.com','0.0.0.0',1700000000),
('user22','example.com','0.0.0.0',1700000000),
('user23','example.com','0.0.0.0',1700000000),
('user24','example.com','0.0.0.0',1700000000),
('user25','example.com','0.0.0.0',1700000000),
('user26','example.com','0.0.0.0',1700000000),
('user27','example.com','0.0.0.0',1700000000),
('user28','example.com','0.0.0.0',1700000000),
('user29','example.com','0.0.0.0',1700000000),
('user30','example.com','0.0.0.0',1700000000),
('user31','example.com','0.0.0.0',1700000000),
('user32','example.com','0.0.0.0',1700000000),
('user33','example.com','0.0.0.0',1700000000),
('user34','example.com','0.0.0.0',1700000000),
('user35','example.com','0.0.0.0',1700000000),
('user36','example.com','0.0.0.0',1700000000),
('user37','example.com','0.0.0.0',1700000000),
('user38','example.com','0.0.0.0',1700000000),
('user39','example.com','0.0.0.0',1700000000),
('user40','example.com','0.0.0.0',1700000000);
/*!40000 ALTER TABLE `lastauth` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `valias`
--

DROP TABLE IF EXISTS `valias`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `valias` (
  `alias` char(32) NOT NULL,
  `domain` char(96) NOT NULL,
  `valias_line` text NOT NULL,
  KEY `alias` (`alias`,`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `valias`
--

LOCK TABLES `valias` WRITE;
/*!40000 ALTER TABLE `valias` DISABLE KEYS */;
INSERT INTO `valias` VALUES
('sales','example.com','&alice@example.com'),
('sales','example.com','&judy@example.com'),
('sales-owner','example.com','&postmaster@example.com'),
('abuse','example.com','&postmaster@example.com'),
('billing','example.com','/home/vpopmail/domains/example.com/kim/Maildir/'),
('billing','example.com','&accounting@remote.example'),
('orders','example.com','|/usr/local/bin/dumpenv orders'),
('stop','example.com','|/usr/local/bin/dumpenv orders-stop 99'),
('stop','example.com','&after99@remote.example'),
('fail','example.com','|/usr/local/bin/dumpenv fail100 100'),
('tempfail','example.com','|/usr/local/bin/dumpenv tempfail 111'),
('noreply','example.com','# nothing is delivered'),
('support-default','example.com','|/usr/local/bin/dumpenv support-default'),
('support','example.com','&kim@example.com'),
('john.smith','example.com','&john@example.com'),
('lists','example.com','/home/vpopmail/domains/example.com/grace/Maildir/.Lists/'),
('webmaster','example.net','&alice@example.com'),
('user01','example.com','&user01.fwd@remote.example'),
('user02','example.com','&user02.copy@remote.example'),
('user02','example.com','/home/vpopmail/domains/example.com/user02/Maildir/'),
('user03-default','example.com','|/usr/local/bin/dumpenv user03-default');
/*!40000 ALTER TABLE `valias` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `vpopmail`
--

DROP TABLE IF EXISTS `vpopmail`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `vpopmail` (
  `pw_name` char(32) NOT NULL,
  `pw_domain` char(96) NOT NULL,
  `pw_passwd` char(40) DEFAULT NULL,
  `pw_uid` int(11) DEFAULT NULL,
  `pw_gid` int(11) DEFAULT NULL,
  `pw_gecos` char(48) DEFAULT NULL,
  `pw_dir` char(160) DEFAULT NULL,
  `pw_shell` char(20) DEFAULT NULL,
  `pw_clear_passwd` char(16) DEFAULT NULL,
  PRIMARY KEY (`pw_name`,`pw_domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `vpopmail`
--
-- ORDER BY:  `pw_name`,`pw_domain`

LOCK TABLES `vpopmail` WRITE;
/*!40000 ALTER TABLE `vpopmail` DISABLE KEYS */;
INSERT INTO `vpopmail` VALUES
('alice','example.com','$1$GphRW6pZ$fDaGkdr8IaWnJ5mdo3GfC.',0,0,'alice','/home/vpopmail/domains/example.com/alice','NOQUOTA','Alice-Pass-1'),
('bob','example.com','$1$8FZFg5eQ$f/shRAtxRsaa9MZCJ33dL0',0,0,'bob','/home/vpopmail/domains/example.com/bob','NOQUOTA','Bob-Pass-2'),
('carol','example.com','$1$NKmAK1Rs$MdIljrashTWP.McF6xqTY1',0,0,'carol','/home/vpopmail/domains/example.com/carol','NOQUOTA','Carol-Pass-3'),
('dave','example.com','dv5b3FTGu1q.I',0,2,'dave','/home/vpopmail/domains/example.com/dave','NOQUOTA','Dave2pwX'),
('erin','example.com','$6$erinsalt0$.MLj7wMSLW.WIWxBwujUT/J2Ai4',0,8,'erin','/home/vpopmail/domains/example.com/erin','NOQUOTA','Erin-Pass-5'),
('frank','example.com','$1$o7zGaEHF$Mbx1D5iUr0.RMD1ElYFYS/',0,16,'frank','/home/vpopmail/domains/example.com/frank','NOQUOTA','Frank-Pass-6'),
('grace','example.com','$1$fGVeh.Rw$1qh/I1QFZj8cSVj/T7UKQ1',0,2048,'grace','/home/vpopmail/domains/example.com/grace','NOQUOTA','Grace-Pass-7'),
('heidi','example.com','$1$p/HmnPBI$Bj.p5HzCUyBO00e0r5Gbj0',0,4,'heidi','/home/vpopmail/domains/example.com/heidi','NOQUOTA','Heidi-Pass-8'),
('info','example.net','$1$LJr.fRGP$Il5u6h28qWsjS//O/zWV./',0,0,'info','/home/vpopmail/domains/example.net/info','NOQUOTA','Info-Pass-20'),
('ivan','example.com','$1$/E4H9EEp$92e5qp/TlCu33mFOFW2Nf0',0,10,'ivan','/home/vpopmail/domains/example.com/ivan','NOQUOTA','Ivan-Pass-9'),
('john','example.com','$1$aEdo9QmM$Zbj6NNf63X3cr4.JjeZ9c.',0,0,'john','/home/vpopmail/domains/example.com/john','NOQUOTA','John-Pass-19'),
('judy','example.com','$1$9Yzg7MPS$SKv4BTanxNPqR30YwC75//',0,0,'judy','/home/vpopmail/domains/example.com/judy','52428800S','Judy-Pass-10'),
('kim','example.com','$1$ik5J5KHS$GMxZ.4ahrmolWS0TOzS2e/',0,0,'kim','/home/vpopmail/domains/example.com/kim','NOQUOTA','Kim-Pass-11'),
('leo','example.com','$1$he/GgpT0$MHQmNxYhJma8Z9rFlzh2e.',0,0,'leo','/home/vpopmail/domains/example.com/leo','NOQUOTA','Leo-Pass-12'),
('liaison','partner.example','$1$qmA7UWPH$9hqpHa033wBC9k9TcDRjz/',0,0,'liaison','/home/vpopmail/domains/partner.example/liaison','20971520S','Liaison-Pass-24'),
('mia','example.com','$1$g1ccJ4EB$IQg7ZbYOKt0y.p5PKQAJu/',0,0,'mia','/home/vpopmail/domains/example.com/mia','NOQUOTA','Mia-Pass-13'),
('mike','example.net','mkw.H7Zl8bsKc',0,2,'mike','/home/vpopmail/domains/example.net/mike','5242880S','Mike21'),
('nick','example.com','$1$Xk.51XRB$uKMz6jSukSNrxNoHGpTqX.',0,0,'nick','/home/vpopmail/domains/example.com/nick','NOQUOTA','Nick-Pass-14'),
('nina','example.net','$1$T/Uwe5mc$XFiCM6nWz5CqrtI27ASpT1',0,0,'nina','/home/vpopmail/domains/example.net/nina','NOQUOTA','Nina-Pass-22'),
('oscar','example.com','$1$7O3Toqc6$38pqNwPL6.tqt3AY/LQNQ.',0,0,'oscar','/home/vpopmail/domains/example.com/oscar','NOQUOTA','Oscar-Pass-15'),
('paul','example.com','$6$paulsalt1$S5GqskeT8.QCYcvnxiF4acoPf0T',0,6,'paul','/home/vpopmail/domains/example.com/paul','NOQUOTA','Paul-Pass-16'),
('postmaster','example.com','$1$j11SjuQb$S76LBx.AFV/JlBOqTlBTC0',0,0,'Postmaster','/home/vpopmail/domains/example.com/postmaster','NOQUOTA','Postmaster-1'),
('postmaster','example.net','$1$Cxd9XuHl$AkDFIlBznOKLJ.ExvB37x.',0,0,'Postmaster','/home/vpopmail/domains/example.net/postmaster','NOQUOTA','Postmaster-2'),
('postmaster','partner.example','$1$grA.yIud$c.Gz03MkBL7na0Xw5Mc/I/',0,0,'Postmaster','/home/vpopmail/domains/partner.example/postmaster','NOQUOTA','Postmaster-3'),
('postmaster','shop.example','$1$N7/SXT4a$DoeqkMx6Pr0ylhp0r9fop0',0,0,'Postmaster','/home/vpopmail/domains/shop.example/postmaster','NOQUOTA','Postmaster-4'),
('quinn','example.com','qn1uGQSyrnDS.',0,12,'quinn','/home/vpopmail/domains/example.com/quinn','NOQUOTA','Quinn17'),
('rita','example.com','$1$o86LJrlc$XZpWcb2wK2n5NCHlpvQqe1',0,2052,'rita','/home/vpopmail/domains/example.com/rita','20971520S','Rita-Pass-18'),
('tom','shop.example','$1$3nhEfuVi$lFT5CHHCrRw3poel0zI/o.',0,8,'tom','/home/vpopmail/domains/shop.example/tom','NOQUOTA','Tom-Pass-23'),
('user01','example.com','$1$0yS24Fwv$e7TAjnVoh5zmDWH4VENLY.',0,0,'user01','/home/vpopmail/domains/example.com/user01','NOQUOTA','Bulk-user01-pw'),
('user02','example.com','$1$gC2YaiAM$B/5vbG.ZyQGgxsUWYqcFq1',0,0,'user02','/home/vpopmail/domains/example.com/user02','NOQUOTA','Bulk-user02-pw'),
('user03','example.com','$1$J.A0kYVG$t7MkYmEnU1QnXo4xE7LOf.',0,0,'user03','/home/vpopmail/domains/example.com/user03','NOQUOTA','Bulk-user03-pw'),
('user04','example.com','$1$ccKzjy5d$MHwu/E6fnOL3plDuGMHmt/',0,0,'user04','/home/vpopmail/domains/example.com/user04','NOQUOTA','Bulk-user04-pw'),
('user05','example.com','$1$D5K8b0gm$okTHxN5wZZDG4jE7cgPOi.',0,0,'user05','/home/vpopmail/domains/example.com/user05','NOQUOTA','Bulk-user05-pw'),
('user06','example.com','$1$5JgKe6Z3$bsb54Qnwm1whkAj7rVCIB1',0,0,'user06','/home/vpopmail/domains/example.com/user06','NOQUOTA','Bulk-user06-pw'),
('user07','example.com','$1$p0xoh4LT$qC3.hoUGNVTtcC4PEz2qN1',0,0,'user07','/home/vpopmail/domains/example.com/user07','NOQUOTA','Bulk-user07-pw'),
('user08','example.com','$1$GTEa3VMo$ApbAN3NuueDpm3JTqMJPw.',0,0,'user08','/home/vpopmail/domains/example.com/user08','NOQUOTA','Bulk-user08-pw'),
('user09','example.com','$1$0G50tyhh$dhIQhaOk9iCk7FPNcZ3mi0',0,0,'user09','/home/vpopmail/domains/example.com/user09','NOQUOTA','Bulk-user09-pw'),
('user10','example.com','$1$PZeTkaRc$LmEKw6Bd5.KNuUYEMccxX.',0,0,'user10','/home/vpopmail/domains/example.com/user10','NOQUOTA','Bulk-user10-pw'),
('user11','example.com','$1$7qTARSoo$npFwbLfH74C4RyvG.E5jV.',0,0,'user11','/home/vpopmail/domains/example.com/user11','NOQUOTA','Bulk-user11-pw'),
('user12','example.com','$1$sylGqq3f$Fz8gRkerv.xa1e4lM5xD3.',0,0,'user12','/home/vpopmail/domains/example.com/user12','NOQUOTA','Bulk-user12-pw'),
('user13','example.com','$1$y/dE76EX$UZNEFT2e5Urtr2RIPtq2S0',0,0,'user13','/home/vpopmail/domains/example.com/user13','NOQUOTA','Bulk-user13-pw'),
('user14','example.com','$1$fKrw.ov3$1lEfeuB/8aD/GMS.1PRgj1',0,0,'user14','/home/vpopmail/domains/example.com/user14','NOQUOTA','Bulk-user14-pw'),
('user15','example.com','$1$OQy2cTNT$Dx43zbRGnIHq6opwPJjea.',0,0,'user15','/home/vpopmail/domains/example.com/user15','NOQUOTA','Bulk-user15-pw'),
('user16','example.com','$1$88MtSJ9m$Zg7gC.GDdUEBZGAcGNzFg/',0,0,'user16','/home/vpopmail/domains/example.com/user16','NOQUOTA','Bulk-user16-pw'),
('user17','example.com','$1$0SYdPGcf$RI9H8xdrGwPDzwb2wLX031',0,0,'user17','/home/vpopmail/domains/example.com/user17','NOQUOTA','Bulk-user17-pw'),
('user18','example.com','$1$5DONHAtJ$bvGqje6PveXdb/V2R6mH9/',0,0,'user18','/home/vpopmail/domains/example.com/user18','NOQUOTA','Bulk-user18-pw'),
('user19','example.com','$1$x1UhP20T$Xj237C.KVRRReZe0GFseV/',0,0,'user19','/home/vpopmail/domains/example.com/user19','NOQUOTA','Bulk-user19-pw'),
('user20','example.com','$1$JisGzJwQ$XcCya8qOH21OQ65AEb4eH1',0,0,'user20','/home/vpopmail/domains/example.com/user20','NOQUOTA','Bulk-user20-pw'),
('user21','example.com','$1$rMaFdm1Q$MbCfQ8e0mswtJ9FyFJp0H.',0,0,'user21','/home/vpopmail/domains/example.com/user21','NOQUOTA','Bulk-user21-pw'),
('user22','example.com','$1$H1eTTKu8$eB2Bk695YQT0Ufg1BsS/9/',0,0,'user22','/home/vpopmail/domains/example.com/user22','NOQUOTA','Bulk-user22-pw'),
('user23','example.com','$1$1By7iyxx$8qt.QmzNee8Kcn1wG6Pf90',0,0,'user23','/home/vpopmail/domains/example.com/user23','NOQUOTA','Bulk-user23-pw'),
('user24','example.com','$1$ahIJR.yA$h1vek42b1uIl5iKKBQKjx0',0,0,'user24','/home/vpopmail/domains/example.com/user24','NOQUOTA','Bulk-user24-pw'),
('user25','example.com','$1$lcc4ZPTw$NN6g38ahkN7xIGo78pVEt1',0,0,'user25','/home/vpopmail/domains/example.com/user25','NOQUOTA','Bulk-user25-pw'),
('user26','example.com','$1$Joq6PCwf$elIX5G0Aj6lzHM6vk7vHk0',0,0,'user26','/home/vpopmail/domains/example.com/user26','NOQUOTA','Bulk-user26-pw'),
('user27','example.com','$1$ZNhqa5T6$e4PrEVpU2LC1Mu3eQFucT/',0,0,'user27','/home/vpopmail/domains/example.com/user27','NOQUOTA','Bulk-user27-pw'),
('user28','example.com','$1$eVSxaZYD$Yw5I50jirQtCnp5udgVJk.',0,0,'user28','/home/vpopmail/domains/example.com/user28','NOQUOTA','Bulk-user28-pw'),
('user29','example.com','$1$XqLK3D3r$7gBhOX49rq2VxZve0coa6.',0,0,'user29','/home/vpopmail/domains/example.com/user29','NOQUOTA','Bulk-user29-pw'),
('user30','example.com','$1$6NGz01TN$.s6oUS5kH5prnP.AJXN8G.',0,0,'user30','/home/vpopmail/domains/example.com/user30','NOQUOTA','Bulk-user30-pw'),
('user31','example.com','$1$Gmwvj5a4$HwfPgh3hAUz5hPItDSqky.',0,0,'user31','/home/vpopmail/domains/example.com/user31','NOQUOTA','Bulk-user31-pw'),
('user32','example.com','$1$gwwJOVN2$c5N.KQmeFFKazlaR2jF8Q1',0,0,'user32','/home/vpopmail/domains/example.com/user32','NOQUOTA','Bulk-user32-pw'),
('user33','example.com','$1$1FPPToY0$YcdBZ4VumSX/6Br0mxm.s1',0,0,'user33','/home/vpopmail/domains/example.com/user33','NOQUOTA','Bulk-user33-pw'),
('user34','example.com','$1$nHrWm8B1$MDz/h7gI1ojloDZeIo6wl0',0,0,'user34','/home/vpopmail/domains/example.com/user34','NOQUOTA','Bulk-user34-pw'),
('user35','example.com','$1$0exlYviq$4iBWlHiwBMEypaTv9dviC/',0,0,'user35','/home/vpopmail/domains/example.com/user35','NOQUOTA','Bulk-user35-pw'),
('user36','example.com','$1$AVkU4LeI$EXSlhq2tUU64Iz/Ch.TXd1',0,0,'user36','/home/vpopmail/domains/example.com/user36','NOQUOTA','Bulk-user36-pw'),
('user37','example.com','$1$WAqaUSUP$FKLPjEzqTiwbUxzSvpMMu0',0,0,'user37','/home/vpopmail/domains/example.com/user37','NOQUOTA','Bulk-user37-pw'),
('user38','example.com','$1$Ddyvk/w8$sFHtw/hlZKPG384mvYRZW/',0,0,'user38','/home/vpopmail/domains/example.com/user38','NOQUOTA','Bulk-user38-pw'),
('user39','example.com','$1$fLsm8zL3$Se/NGtGYP3CrysEaYhbVy0',0,0,'user39','/home/vpopmail/domains/example.com/user39','NOQUOTA','Bulk-user39-pw'),
('user40','example.com','$1$5sPf5Po.$YRcCb5qNZVVJfa09TP4J.1',0,0,'user40','/home/vpopmail/domains/example.com/user40','NOQUOTA','Bulk-user40-pw');
/*!40000 ALTER TABLE `vpopmail` ENABLE KEYS */;
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed
